import type { DeliveryReport, Transport } from "@tablecast/core"
import { type OtelSettings, OtelSettingsError, otelSettingsOf } from "@tablecast/telemetry/settings"
import type * as Effect from "effect/Effect"
import { EdgeConfigError } from "../EdgeConfig.ts"
import { version } from "../Version.ts"

/** The OTEL_* variables (Worker vars and secrets, or process.env on Node) that the edge reads. */
const otelVariables = [
  "OTEL_SDK_DISABLED",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
  "OTEL_EXPORTER_OTLP_HEADERS",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_TRACES_EXPORTER",
  "OTEL_METRICS_EXPORTER",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES"
] as const

/** The OTEL_* variables as Worker vars/secrets or Node environment variables (docs/operations/metrics-and-traces.md). */
export type EdgeOtelVars = { readonly [Name in (typeof otelVariables)[number]]?: string }

const cache = new WeakMap<object, OtelSettings | EdgeConfigError | undefined>()

/**
 * The export settings of a Worker's env (or process.env), or undefined when telemetry is off.
 * Cached per env object, as the edge's configuration is. Throws an EdgeConfigError naming the
 * variable at fault, never its value (OTEL_EXPORTER_OTLP_HEADERS holds keys).
 */
export const edgeOtelSettings = (env: object): OtelSettings | undefined => {
  const cached = cache.has(env) ? cache.get(env) : readSettings(env)
  cache.set(env, cached)
  if (cached instanceof EdgeConfigError) throw cached
  return cached
}

const readSettings = (env: object): OtelSettings | EdgeConfigError | undefined => {
  const bindings = env as Record<string, unknown>
  const strings: Record<string, string> = {}
  // Only string bindings are variables (not queues or Durable Objects).
  for (const name of otelVariables) if (typeof bindings[name] === "string") strings[name] = bindings[name] as string
  try {
    return otelSettingsOf(strings)
  } catch (error) {
    if (error instanceof OtelSettingsError) {
      return new EdgeConfigError({ message: `invalid configuration:\n${error.message}`, variables: [error.variable] })
    }
    throw error
  }
}

/** What a run is, for its span: its id, how it runs and what started it. */
export interface EdgeRunDescription {
  readonly runId: string
  readonly syncName: string | undefined
  /** `edge` (a run request answered with its report) or `queue` (a chunk of a queued or scheduled run). */
  readonly trigger: string
}

/** One run's telemetry: the instrument for its effect, and the last export, for after the answer. */
export interface EdgeRunTelemetry {
  readonly instrument: <E, R>(effect: Effect.Effect<DeliveryReport, E, R>) => Effect.Effect<DeliveryReport, E, R | Transport>
  /** Exports what is left; never rejects. On Workers, given to `waitUntil`. */
  readonly flush: () => Promise<void>
}

/**
 * A run's telemetry when the OTEL_* variables are set: an exporter of its own (OTLP/HTTP through
 * fetch, delta temporality: each run exports its own counts, whichever isolate ran it), loaded
 * only then. Undefined when they are not set.
 */
export const edgeRunTelemetry = async (env: object, run: EdgeRunDescription, runtime: string): Promise<EdgeRunTelemetry | undefined> => {
  const settings = edgeOtelSettings(env)
  if (settings === undefined) return undefined
  const { startRunExport } = await import("@tablecast/telemetry")
  const platform: Record<string, string> = runtime === "workers" ? { "cloud.provider": "cloudflare", "cloud.platform": "cloudflare_workers" } : {}
  const exporter = await startRunExport(settings, version, { resourceAttributes: platform })
  return {
    instrument: exporter.instrument(
      { syncName: run.syncName, kind: "sync", runId: run.runId, trigger: run.trigger },
      (report: DeliveryReport) => report
    ),
    flush: exporter.flush
  }
}

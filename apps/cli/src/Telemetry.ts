import type { DeliveryReport, Transport } from "@tablecast/core"
import { ConfigError } from "@tablecast/config"
import { type OtelSettings, OtelSettingsError, otelSettingsOf } from "@tablecast/telemetry/settings"
import type * as Effect from "effect/Effect"
import type { ResolvedSync } from "./SyncConfig.ts"
import { VERSION } from "./Version.ts"

/** Wraps a run's effect in its telemetry, or leaves it as it is. */
export type RunInstrument<A> = <E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | Transport>

const settingsOf = (env: NodeJS.ProcessEnv): OtelSettings | undefined => {
  try {
    return otelSettingsOf(env)
  } catch (error) {
    // Names the variable, never its value (OTEL_EXPORTER_OTLP_HEADERS holds keys).
    if (error instanceof OtelSettingsError) throw new ConfigError({ message: error.message, field: error.variable })
    throw error
  }
}

/**
 * The telemetry of a run: with the OTEL_* variables set (docs/operations/metrics-and-traces.md),
 * the exporter is loaded (a chunk of its own) and the run traced and measured; without them,
 * nothing is loaded and the run is left as it is.
 */
export const telemetryOf = async <A>(
  sync: ResolvedSync,
  kind: "sync" | "incremental",
  reportOf: (result: A) => DeliveryReport,
  env: NodeJS.ProcessEnv = process.env
): Promise<RunInstrument<A>> => {
  const settings = settingsOf(env)
  if (settings === undefined) return (effect) => effect
  const { withRunTelemetry } = await import("@tablecast/telemetry")
  return withRunTelemetry(settings, { syncName: sync.name, kind }, reportOf, VERSION)
}

import type { DeliveryReport } from "@tablecast/core"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Scope from "effect/Scope"
import { type OtlpExportOptions, otlpLayer } from "./OtlpExport.ts"
import type { OtelSettings } from "./OtelSettings.ts"
import { instrumentRun, type RunDescription, type RunInstrument } from "./RunTelemetry.ts"

/** An exporter started for one run, whose end (the last export) its caller decides. */
export interface RunExport {
  /** Wraps the run in its telemetry, recorded into this exporter (a metric registry of its own). */
  readonly instrument: <A>(run: RunDescription, reportOf: (result: A) => DeliveryReport) => RunInstrument<A>
  /**
   * Exports what is left and stops the exporter; never rejects (a collector that cannot be reached
   * gives up within the exporter's shutdown timeout). On Workers, give it to `ctx.waitUntil` so
   * the answer does not wait for it.
   */
  readonly flush: () => Promise<void>
}

/**
 * Starts an OTLP exporter for one run, apart from the run itself: the run's metrics go to a
 * registry of their own (with delta temporality, each run's export holds its own counts), and the
 * last export happens when the caller calls `flush`, e.g. after the answer was sent.
 */
export const startRunExport = async (settings: OtelSettings, serviceVersion: string, options: OtlpExportOptions = {}): Promise<RunExport> => {
  const registry = new Map()
  const scope = Scope.makeUnsafe()
  const exporter = otlpLayer(settings, serviceVersion, { temporality: "delta", ...options }) as Layer.Layer<never>
  const context: Context.Context<never> = await Effect.runPromise(
    Layer.buildWithScope(exporter, scope).pipe(Effect.provideService(Metric.MetricRegistry, registry))
  )
  return {
    instrument: (run, reportOf) => (effect) =>
      instrumentRun(run, reportOf)(effect).pipe(Effect.provideContext(context), Effect.provideService(Metric.MetricRegistry, registry)),
    flush: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

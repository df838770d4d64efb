import { type DeliveryReport, ProgressListener, Transport } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import { instrumentProgress, instrumentTransport } from "./Instrumentation.ts"
import { nodeHttpClientLayer } from "./NodeHttpClient.ts"
import { otlpLayer } from "./OtlpExport.ts"
import { startCounters } from "./SyncMetrics.ts"
import type { OtelSettings } from "./OtelSettings.ts"

/** What the run span says of a run: its name and how it ended, in counts (never a row value or a secret). */
export interface RunDescription {
  /** The sync's name from the configuration, when it has one. */
  readonly syncName: string | undefined
  readonly kind: "sync" | "incremental"
  /** The run's id, where runs have one (the edge's). */
  readonly runId?: string | undefined
  /** What started the run, where it tells (the edge: `edge`, `cron`, `queue`). */
  readonly trigger?: string | undefined
}

/** Wraps a run's effect in its telemetry. */
export type RunInstrument<A> = <E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R | Transport>

const reportAttributes = (report: DeliveryReport): Record<string, unknown> => ({
  "tablecast.outcome": report.outcome,
  "tablecast.dry_run": report.dryRun,
  "tablecast.rows.read": report.rows.read,
  "tablecast.rows.rejected": report.rows.rejected,
  "tablecast.messages.accepted": report.messages.accepted,
  "tablecast.messages.refused": report.messages.refused,
  "tablecast.messages.undelivered": report.messages.undelivered,
  "tablecast.requests": report.batches.requests,
  "tablecast.retries": report.batches.retries,
  "tablecast.bytes_sent": report.bytesSent
})

const runAttributes = (run: RunDescription): Record<string, string> => {
  const attributes: Record<string, string> = { "tablecast.run.kind": run.kind }
  if (run.syncName !== undefined) attributes["tablecast.sync.name"] = run.syncName
  if (run.runId !== undefined) attributes["tablecast.run.id"] = run.runId
  if (run.trigger !== undefined) attributes["tablecast.run.trigger"] = run.trigger
  return attributes
}

/**
 * Wraps a run (an effect needing the Transport and the ProgressListener) in the run span, with a
 * span per request under it and the run's metrics, recorded with the tracer and metric registry
 * of its context: the exporter is the caller's to provide ({@link withRunTelemetry} does).
 */
export const instrumentRun =
  <A>(run: RunDescription, reportOf: (result: A) => DeliveryReport): RunInstrument<A> =>
  (effect) =>
    Effect.gen(function* () {
      const span = yield* Effect.orDie(Effect.currentSpan)
      const context = yield* Effect.context<never>()
      startCounters(context)
      return yield* effect.pipe(
        Effect.updateService(Transport, (transport) => instrumentTransport(transport, span, context)),
        Effect.updateService(ProgressListener, (listener) => ({ ...listener, onProgress: instrumentProgress(listener.onProgress, context) })),
        Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.annotateCurrentSpan(reportAttributes(reportOf(exit.value))) : Effect.void))
      )
    }).pipe(Effect.withSpan("tablecast.run", { attributes: runAttributes(run) }))

/**
 * {@link instrumentRun} with the OTLP exporter of the settings around it, for a Node process: the
 * exporter posts through `node:http` (never loading undici, as fetch would) and is flushed when the
 * run ends, before the effect completes.
 */
export const withRunTelemetry =
  <A>(settings: OtelSettings, run: RunDescription, reportOf: (result: A) => DeliveryReport, serviceVersion: string): RunInstrument<A> =>
  (effect) =>
    instrumentRun(
      run,
      reportOf
    )(effect).pipe(Effect.provide(otlpLayer(settings, serviceVersion, { httpClient: nodeHttpClientLayer }) as Layer.Layer<never>))

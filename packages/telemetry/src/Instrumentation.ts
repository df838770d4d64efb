import type { ProgressSnapshot, TransportError, TransportShape } from "@tablecast/core"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import type * as Tracer from "effect/Tracer"
import { SyncMetrics } from "./SyncMetrics.ts"

/** What a request's answer was, for the `status` attribute: the HTTP status, or the kind of error when none came. */
const statusOf = (exit: Exit.Exit<{ readonly status: number }, TransportError>): string => {
  if (Exit.isSuccess(exit)) return String(exit.value.status)
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
  if (error === undefined) return "interrupted"
  return error.status === undefined ? error.kind : String(error.status)
}

/**
 * The transport, with a span per request (a child of the run's span) and the request metrics.
 * Attributes: the batch's message count and bytes, the attempt, the status; never a message's content.
 */
export const instrumentTransport = (transport: TransportShape, runSpan: Tracer.AnySpan, context: Context.Context<never>): TransportShape => ({
  ...transport,
  send: (batch) =>
    Effect.gen(function* () {
      const started = yield* Clock.currentTimeMillis
      const exit = yield* Effect.exit(transport.send(batch))
      const status = statusOf(exit)
      const millis = (yield* Clock.currentTimeMillis) - started
      const bodyBytes = Exit.isSuccess(exit) ? exit.value.bodyBytes : transport.envelopeBytes + batch.messageBytes
      yield* Effect.annotateCurrentSpan({ "http.response.status_code": status, "http.request.body.size": bodyBytes })
      if (Exit.isFailure(exit)) {
        const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
        if (error !== undefined) yield* Effect.annotateCurrentSpan({ "tablecast.error.kind": error.kind, "tablecast.retryable": error.retryable })
      }
      SyncMetrics.requests.pipe(Metric.withAttributes({ status })).updateUnsafe(1, context)
      SyncMetrics.requestBytes.updateUnsafe(bodyBytes, context)
      SyncMetrics.requestDuration.updateUnsafe(millis, context)
      if (status === "429") SyncMetrics.throttled.updateUnsafe(1, context)
      return yield* exit
    }).pipe(
      Effect.withSpan("tablecast.request", {
        kind: "client",
        parent: runSpan,
        attributes: {
          "tablecast.batch.messages": batch.messages.length,
          "tablecast.batch.bytes": batch.messageBytes,
          "tablecast.request.attempt": batch.attempt
        }
      })
    )
})

/**
 * A progress listener that also records the run's counters (as the increase since the last
 * snapshot) and its gauges, then tells the one it wraps.
 */
export const instrumentProgress = (
  onProgress: (snapshot: ProgressSnapshot) => void,
  context: Context.Context<never>
): ((snapshot: ProgressSnapshot) => void) => {
  let last = { rowsRead: 0, rowsRejected: 0, messagesAccepted: 0, messagesFailed: 0, retries: 0 }
  const add = (metric: Metric.Metric<number, unknown>, now: number, before: number) => {
    if (now > before) metric.updateUnsafe(now - before, context)
  }
  return (snapshot) => {
    add(SyncMetrics.rowsRead, snapshot.rowsRead, last.rowsRead)
    add(SyncMetrics.rowsRejected, snapshot.rowsRejected, last.rowsRejected)
    add(SyncMetrics.messagesAccepted, snapshot.messagesAccepted, last.messagesAccepted)
    add(SyncMetrics.messagesFailed, snapshot.messagesFailed, last.messagesFailed)
    add(SyncMetrics.retries, snapshot.retries, last.retries)
    last = { ...snapshot }
    SyncMetrics.inFlight.updateUnsafe(snapshot.batchesInFlight, context)
    SyncMetrics.queueDepth.updateUnsafe(snapshot.messagesQueued, context)
    onProgress(snapshot)
  }
}

import type * as Context from "effect/Context"
import * as Metric from "effect/Metric"

/**
 * The metrics a run records (docs/operations/metrics-and-traces.md lists them). Counts only, never
 * a row value: the attributes are a status code, an outcome or an error kind.
 */
export const SyncMetrics = {
  rowsRead: Metric.counter("tablecast.rows.read", { description: "Rows read from the source", incremental: true }),
  rowsRejected: Metric.counter("tablecast.rows.rejected", {
    description: "Rows rejected before sending (mapping or validation)",
    incremental: true
  }),
  messagesAccepted: Metric.counter("tablecast.messages.accepted", {
    description: "Messages sent and accepted by the endpoint",
    incremental: true
  }),
  messagesFailed: Metric.counter("tablecast.messages.failed", {
    description: "Messages refused by the endpoint or left undelivered",
    incremental: true
  }),
  requests: Metric.counter("tablecast.requests", {
    description: "Requests sent, by HTTP status (or error kind when there was no answer)",
    incremental: true
  }),
  requestBytes: Metric.counter("tablecast.request.bytes", { description: "Request body bytes sent", incremental: true }),
  retries: Metric.counter("tablecast.retries", { description: "Retries scheduled", incremental: true }),
  throttled: Metric.counter("tablecast.requests.throttled", { description: "Requests answered 429", incremental: true }),
  inFlight: Metric.gauge("tablecast.requests.in_flight", { description: "Batches being sent now" }),
  queueDepth: Metric.gauge("tablecast.queue.depth", { description: "Messages waiting in the queue or an open batch" }),
  requestDuration: Metric.histogram("tablecast.request.duration", {
    description: "Time from sending a request to its answer, in milliseconds",
    boundaries: [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000]
  })
} as const

/** Counters start at 0, so a run with no rejects or retries still exports them (a dashboard sees 0, not a gap). */
export const startCounters = (context: Context.Context<never>): void => {
  for (const counter of [
    SyncMetrics.rowsRead,
    SyncMetrics.rowsRejected,
    SyncMetrics.messagesAccepted,
    SyncMetrics.messagesFailed,
    SyncMetrics.requestBytes,
    SyncMetrics.retries,
    SyncMetrics.throttled
  ])
    counter.updateUnsafe(0, context)
}

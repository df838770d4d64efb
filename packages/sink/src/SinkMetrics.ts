import * as Context from "effect/Context"
import * as Metric from "effect/Metric"
import * as PrometheusMetrics from "effect/observability/PrometheusMetrics"
import type { SinkStats } from "./SinkStats.ts"

/** The Prometheus text format's content type (version 0.0.4), as `GET /metrics` answers it. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

const counter = (name: string, description: string) => Metric.counter(name, { description, incremental: true })

const SinkMetrics = {
  requests: counter("tablecast_sink_requests", "Requests to /v1/*, whatever their outcome"),
  bytes: counter("tablecast_sink_received_bytes", "Request body bytes as received (gzip bodies count compressed)"),
  batches: counter("tablecast_sink_batches_accepted", "Requests whose messages were all accepted"),
  messages: counter("tablecast_sink_messages_accepted", "Messages accepted"),
  duplicates: counter("tablecast_sink_duplicate_message_ids", "Accepted messages whose messageId had been accepted before"),
  dropped: counter("tablecast_sink_dropped_messages", "Messages of batches over the count limit: answered 200, stored nowhere"),
  refused: counter("tablecast_sink_refused_requests", "Requests refused by a check, by HTTP status"),
  faults: counter("tablecast_sink_faults", "Faults injected, by kind"),
  unique: Metric.gauge("tablecast_sink_unique_message_ids", { description: "Distinct messageIds among accepted messages" })
} as const

/** Counters get the `_total` suffix Prometheus expects of them. */
const counterNames: ReadonlySet<string> = new Set(
  Object.values(SinkMetrics)
    .filter((metric) => metric !== SinkMetrics.unique)
    .map((metric) => metric.id)
)

/**
 * The sink's counts in the Prometheus text format (what `GET /metrics` answers), rendered by
 * Effect's Prometheus formatter from a registry of its own filled from the stats: the counts stay
 * kept in one place, and a scrape changes nothing.
 */
export const prometheusTextOf = (stats: SinkStats): string => {
  const registry = new Map()
  const context = Context.make(Metric.MetricRegistry, registry)
  const add = (metric: Metric.Metric<number, unknown>, value: number) => metric.updateUnsafe(value, context)
  add(SinkMetrics.requests, stats.requests)
  add(SinkMetrics.bytes, stats.bytesReceived)
  add(SinkMetrics.batches, stats.batchesAccepted)
  add(SinkMetrics.messages, stats.messagesAccepted)
  add(SinkMetrics.duplicates, stats.duplicateMessageIds)
  add(SinkMetrics.dropped, stats.droppedMessages)
  add(SinkMetrics.unique, stats.uniqueMessageIds)
  for (const [status, count] of Object.entries(stats.rejectedByStatus)) add(SinkMetrics.refused.pipe(Metric.withAttributes({ status })), count)
  for (const [kind, count] of Object.entries(stats.faults)) add(SinkMetrics.faults.pipe(Metric.withAttributes({ kind })), count)
  return PrometheusMetrics.formatUnsafe(context, { metricNameMapper: (name) => (counterNames.has(name) ? `${name}_total` : name) })
}

import type { DeliveryReport } from "@tablecast/core"
import * as Context from "effect/Context"
import * as Metric from "effect/Metric"

/** The Prometheus text format's content type (version 0.0.4), as `GET /metrics` answers it. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

const counter = (name: string, description: string) => Metric.counter(name, { description, incremental: true })

/**
 * What the Node edge counts for `GET /metrics`: its HTTP requests, and its runs as their reports
 * tell them at the end. Attributes are a method, a route pattern, a status, an outcome: never a
 * value from a request.
 */
const Metrics = {
  httpRequests: counter("tablecast_edge_http_requests", "HTTP requests answered, by method, route pattern and status"),
  runsInProgress: Metric.gauge("tablecast_edge_runs_in_progress", { description: "Run requests being carried out now" }),
  runs: counter("tablecast_edge_runs", "Runs finished, by outcome"),
  rowsRead: counter("tablecast_edge_rows_read", "Rows read from run requests"),
  rowsRejected: counter("tablecast_edge_rows_rejected", "Rows rejected before sending (mapping, validation)"),
  messagesAccepted: counter("tablecast_edge_messages_accepted", "Messages the endpoint accepted"),
  messagesRefused: counter("tablecast_edge_messages_refused", "Messages the endpoint refused"),
  messagesUndelivered: counter("tablecast_edge_messages_undelivered", "Messages left undelivered"),
  requests: counter("tablecast_edge_segment_requests", "Requests sent to the endpoint, retries included"),
  retries: counter("tablecast_edge_retries", "Retries"),
  bytesSent: counter("tablecast_edge_sent_bytes", "Request body bytes sent to the endpoint")
} as const

const counterNames: ReadonlySet<string> = new Set(
  Object.values(Metrics)
    .filter((metric) => metric !== Metrics.runsInProgress)
    .map((metric) => metric.id)
)

/** The metrics of one edge process, kept in a registry of their own; `text()` is what `GET /metrics` answers. */
export interface EdgeMetrics {
  readonly httpRequest: (method: string, route: string, status: number) => void
  readonly runsInProgress: (count: number) => void
  readonly run: (report: DeliveryReport) => void
  /** The Prometheus text (Effect's formatter, loaded on the first scrape). */
  readonly text: () => Promise<string>
}

export const makeEdgeMetrics = (): EdgeMetrics => {
  const context = Context.make(Metric.MetricRegistry, new Map())
  const add = (metric: Metric.Metric<number, unknown>, value: number) => metric.updateUnsafe(value, context)
  // Counters start at 0, so a scrape before the first run sees them (a dashboard sees 0, not a gap).
  for (const metric of Object.values(Metrics)) if (metric !== Metrics.httpRequests && metric !== Metrics.runs) add(metric, 0)
  return {
    httpRequest: (method, route, status) => add(Metrics.httpRequests.pipe(Metric.withAttributes({ method, route, status: String(status) })), 1),
    runsInProgress: (count) => add(Metrics.runsInProgress, count),
    run: (report) => {
      add(Metrics.runs.pipe(Metric.withAttributes({ outcome: report.outcome })), 1)
      add(Metrics.rowsRead, report.rows.read)
      add(Metrics.rowsRejected, report.rows.rejected)
      add(Metrics.messagesAccepted, report.messages.accepted)
      add(Metrics.messagesRefused, report.messages.refused)
      add(Metrics.messagesUndelivered, report.messages.undelivered)
      add(Metrics.requests, report.batches.requests)
      add(Metrics.retries, report.batches.retries)
      add(Metrics.bytesSent, report.bytesSent)
    },
    text: async () => {
      const PrometheusMetrics = await import("effect/observability/PrometheusMetrics")
      return PrometheusMetrics.formatUnsafe(context, { metricNameMapper: (name) => (counterNames.has(name) ? `${name}_total` : name) })
    }
  }
}

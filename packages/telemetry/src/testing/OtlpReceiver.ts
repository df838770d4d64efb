import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** One export the receiver took: its path (`/v1/traces`, `/v1/metrics`), headers and body as sent. */
export interface OtlpExport {
  readonly path: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly contentType: string
  readonly body: Buffer
}

// OTLP/JSON, as much of it as tests read (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
export interface OtlpKeyValue {
  readonly key: string
  readonly value: {
    readonly stringValue?: string
    readonly intValue?: string | number
    readonly boolValue?: boolean
    readonly doubleValue?: number
  }
}
export interface OtlpSpan {
  readonly name: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly attributes: ReadonlyArray<OtlpKeyValue>
}
export interface OtlpDataPoint {
  readonly attributes?: ReadonlyArray<OtlpKeyValue>
  readonly asInt?: string | number
  readonly asDouble?: number
  readonly count?: string | number
}
export interface OtlpMetric {
  readonly name: string
  readonly sum?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
  readonly gauge?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
  readonly histogram?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
}
interface TraceData {
  readonly resourceSpans: ReadonlyArray<{
    readonly resource: { readonly attributes: ReadonlyArray<OtlpKeyValue> }
    readonly scopeSpans: ReadonlyArray<{ readonly spans: ReadonlyArray<OtlpSpan> }>
  }>
}
interface MetricsData {
  readonly resourceMetrics: ReadonlyArray<{ readonly scopeMetrics: ReadonlyArray<{ readonly metrics: ReadonlyArray<OtlpMetric> }> }>
}

/** An attribute's value (ints as numbers), or undefined when the attribute is absent. */
export const otlpAttribute = (attributes: ReadonlyArray<OtlpKeyValue> | undefined, key: string): unknown => {
  const value = attributes?.find((attribute) => attribute.key === key)?.value
  if (value === undefined) return undefined
  if (value.intValue !== undefined) return Number(value.intValue)
  return value.stringValue ?? value.boolValue ?? value.doubleValue
}

/** A counter's or gauge's data point as a number. */
export const otlpPointValue = (point: OtlpDataPoint): number => Number(point.asInt ?? point.asDouble ?? 0)

/** What the receiver took, decoded from OTLP/JSON (the sender must use `http/json`). */
export const decodeOtlpJson = (exports: ReadonlyArray<OtlpExport>) => {
  const json = <T>(path: string): Array<T> =>
    exports.filter((sent) => sent.path === path).map((sent) => JSON.parse(sent.body.toString("utf8")) as T)
  const traces = json<TraceData>("/v1/traces")
  const metrics = json<MetricsData>("/v1/metrics").flatMap((data) =>
    data.resourceMetrics.flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))
  )
  return {
    /** The service.name of every resource that sent spans. */
    serviceNames: traces.flatMap((data) => data.resourceSpans.map((resource) => otlpAttribute(resource.resource.attributes, "service.name"))),
    spans: traces.flatMap((data) => data.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))),
    metrics,
    /** A cumulative counter's total at its last export (summed over its attributes), or undefined when never exported. */
    counterTotal: (name: string): number | undefined => {
      const last = metrics.filter((metric) => metric.name === name).at(-1)
      return last?.sum?.dataPoints.reduce((sum, point) => sum + otlpPointValue(point), 0)
    }
  }
}

/**
 * A local OTLP/HTTP receiver for tests (what an OpenTelemetry Collector's `otlp` receiver does on
 * 4318), on loopback: takes every POST, answers 200 with an empty export response, and keeps what
 * it took. `GET /received` answers what it took so far as JSON (bodies as UTF-8 text) and
 * `DELETE /received` forgets it, for a test that cannot reach its memory (one running in workerd).
 */
export const startOtlpReceiver = async () => {
  const exports: Array<OtlpExport> = []
  const server = createServer((request, response) => {
    if (request.method === "DELETE" && request.url === "/received") {
      exports.length = 0
      response.writeHead(204).end()
      return
    }
    if (request.method === "GET" && request.url === "/received") {
      const received = exports.map((sent) => ({
        path: sent.path,
        contentType: sent.contentType,
        headers: sent.headers,
        body: sent.body.toString("utf8")
      }))
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received))
      return
    }
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      exports.push({
        path: request.url ?? "",
        headers: request.headers,
        contentType: request.headers["content-type"] ?? "",
        body: Buffer.concat(chunks)
      })
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    /** Forgets what was taken so far. */
    clear: () => {
      exports.length = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

export type OtlpReceiver = Awaited<ReturnType<typeof startOtlpReceiver>>

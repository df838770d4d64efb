import { createMessageBatch, env } from "cloudflare:test"
import { describe, expect, inject, it } from "vitest"
import type { ChunkMessage } from "../ChunkMessage.ts"
import { callWorker, runRequest } from "../testing/edgeClient.ts"
import { scoreRows } from "../testing/rows.ts"
import { sinkStats } from "../testing/sinkClient.ts"
import worker from "../worker.ts"

const otlpUrl = inject("otlpUrl")
const sinkUrl = inject("sinkUrl")
const OTEL_KEY = "edge-otel-k3y-4e2a"

// OTLP/JSON, as much as the tests read (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
interface KeyValue {
  readonly key: string
  readonly value: { readonly stringValue?: string; readonly intValue?: string | number; readonly boolValue?: boolean }
}
interface Span {
  readonly name: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly attributes: ReadonlyArray<KeyValue>
}
interface Received {
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string
}
const attribute = (attributes: ReadonlyArray<KeyValue> | undefined, key: string): unknown => {
  const value = attributes?.find((kv) => kv.key === key)?.value
  if (value === undefined) return undefined
  return value.intValue !== undefined ? Number(value.intValue) : (value.stringValue ?? value.boolValue)
}

/** What the receiver took since it was last cleared, decoded. */
const received = async () => {
  const all = (await (await fetch(`${otlpUrl}/received`)).json()) as Array<Received>
  const traces = all.filter((sent) => sent.path === "/v1/traces").map((sent) => JSON.parse(sent.body))
  const metrics = all.filter((sent) => sent.path === "/v1/metrics").map((sent) => JSON.parse(sent.body))
  const spans: Array<Span> = traces.flatMap((data) => data.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)))
  const resources: Array<ReadonlyArray<KeyValue>> = [...traces.flatMap((d) => d.resourceSpans), ...metrics.flatMap((d) => d.resourceMetrics)].map(
    (r: any) => r.resource.attributes
  )
  const counter = (name: string): number =>
    metrics
      .flatMap((data) => data.resourceMetrics.flatMap((r: any) => r.scopeMetrics.flatMap((s: any) => s.metrics)))
      .filter((metric: any) => metric.name === name)
      .flatMap((metric: any) => metric.sum.dataPoints)
      .reduce((sum: number, point: any) => sum + Number(point.asInt ?? point.asDouble ?? 0), 0)
  return { all, spans, resources, counter }
}
const clearReceived = async () => {
  await fetch(`${otlpUrl}/received`, { method: "DELETE" })
}

const otelVars = {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${OTEL_KEY}`,
  OTEL_SERVICE_NAME: "edge-scores"
}

describe("telemetry of the Worker, exported by OTLP/HTTP to a receiver on loopback", () => {
  it("exports a synchronous run's span with a span per request under it, and the run's own counts", async () => {
    await clearReceived()
    const spec = { name: `otel-${crypto.randomUUID()}`, event: "Sales Prediction", customerId: "customer_id" }
    const response = await callWorker(runRequest({ spec, options: { batchCount: 100 }, rows: scoreRows(750) }), otelVars)
    expect(response.status).toBe(200)
    const report = (await response.json()) as any
    expect(report.messages.accepted).toBe(750)

    // callWorker waited for the Worker's waitUntil: the last export is in.
    const got = await received()
    const runs = got.spans.filter((span) => span.name === "tablecast.run" && attribute(span.attributes, "tablecast.run.id") === report.runId)
    expect(runs).toHaveLength(1)
    const run = runs[0]!
    expect(attribute(run.attributes, "tablecast.run.trigger")).toBe("edge")
    expect(attribute(run.attributes, "tablecast.sync.name")).toBe(spec.name)
    expect(attribute(run.attributes, "tablecast.outcome")).toBe("completed")
    expect(attribute(run.attributes, "tablecast.rows.read")).toBe(750)
    const requests = got.spans.filter((span) => span.name === "tablecast.request")
    expect(requests).toHaveLength(report.batches.requests)
    expect(requests.length).toBeGreaterThanOrEqual(8)
    for (const request of requests) {
      expect(request.parentSpanId).toBe(run.spanId)
      expect(attribute(request.attributes, "http.response.status_code")).toBe("200")
    }
    expect(requests.reduce((sum, span) => sum + Number(attribute(span.attributes, "tablecast.batch.messages")), 0)).toBe(750)
    // Delta temporality, a registry per run: the exports hold this run's counts alone.
    expect(got.counter("tablecast.rows.read")).toBe(750)
    expect(got.counter("tablecast.messages.accepted")).toBe(750)
    expect(got.counter("tablecast.requests")).toBe(report.batches.requests)
    for (const resource of got.resources) {
      expect(attribute(resource, "service.name")).toBe("edge-scores")
      expect(attribute(resource, "cloud.platform")).toBe("cloudflare_workers")
    }
    for (const sent of got.all) expect(sent.headers["x-api-key"]).toBe(OTEL_KEY)
    // No row value (customer ids, scores) and no key in anything exported.
    const bodies = got.all.map((sent) => sent.body).join("\n")
    for (const value of ['"c-17"', "edge-test-write-key", "edge-test-token", OTEL_KEY]) expect(bodies).not.toContain(value)
  })

  it("a bad OTEL variable refuses runs with 503 naming it, never its value; unset, nothing is exported", async () => {
    await clearReceived()
    const spec = { name: `otel-bad-${crypto.randomUUID()}`, event: "Sales Prediction", customerId: "customer_id" }
    const bad = await callWorker(runRequest({ spec, rows: scoreRows(5) }), { ...otelVars, OTEL_EXPORTER_OTLP_HEADERS: `${OTEL_KEY}-no-equals` })
    expect(bad.status).toBe(503)
    const text = await bad.text()
    expect(text).toContain("OTEL_EXPORTER_OTLP_HEADERS")
    expect(text).not.toContain(OTEL_KEY)

    const plain = await callWorker(runRequest({ spec, rows: scoreRows(5) }))
    expect(plain.status).toBe(200)
    expect((await received()).all).toEqual([])
  })

  it("traces each chunk of a queued run the queue consumer delivers (trigger queue, the run's id)", async () => {
    await clearReceived()
    const runId = crypto.randomUUID()
    const rows = scoreRows(300)
    const chunk: ChunkMessage = {
      v: 1,
      runId,
      chunk: 0,
      firstRow: 1,
      spec: { name: `otel-queue-${runId}`, event: "Sales Prediction", customerId: "customer_id" } as unknown as ChunkMessage["spec"],
      options: { batchCount: 100 } as unknown as ChunkMessage["options"],
      rows,
      malformed: []
    }
    const before = await sinkStats(sinkUrl)
    const batch = createMessageBatch<ChunkMessage>("tablecast-run-chunks", [{ id: "chunk-0", timestamp: new Date(), attempts: 1, body: chunk }])
    // The consumer awaits its last export before it returns.
    await worker.queue(batch, { ...env, ...otelVars })
    expect((await sinkStats(sinkUrl)).messagesAccepted - before.messagesAccepted).toBe(300)

    const got = await received()
    const runs = got.spans.filter((span) => span.name === "tablecast.run")
    expect(runs).toHaveLength(1)
    expect(attribute(runs[0]!.attributes, "tablecast.run.id")).toBe(runId)
    expect(attribute(runs[0]!.attributes, "tablecast.run.trigger")).toBe("queue")
    expect(attribute(runs[0]!.attributes, "tablecast.messages.accepted")).toBe(300)
    expect(got.spans.filter((span) => span.name === "tablecast.request" && span.parentSpanId === runs[0]!.spanId)).toHaveLength(3)
    expect(got.counter("tablecast.messages.accepted")).toBe(300)
  })
})

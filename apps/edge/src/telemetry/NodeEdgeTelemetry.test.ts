import { decodeOtlpJson, type OtlpReceiver, otlpAttribute, startOtlpReceiver } from "@tablecast/telemetry/testing"
import { afterEach, describe, expect, inject, it } from "vitest"
import { EdgeConfigError } from "../EdgeConfig.ts"
import { type NodeServer, startNodeServer } from "../node.ts"
import { scoreRows, TestToken } from "../testing/rows.ts"
import { TestWriteKeys } from "../testing/sinkSetup.ts"

const sinkUrl = inject("sinkUrl")
const auth = { authorization: `Bearer ${TestToken}` }
const baseEnv = { TABLECAST_TOKEN: TestToken, SEGMENT_WRITE_KEY: TestWriteKeys[0], SEGMENT_ENDPOINT: sinkUrl, LOG_LEVEL: "silent" }

let server: NodeServer | undefined
let receiver: OtlpReceiver | undefined
afterEach(async () => {
  await server?.close()
  await receiver?.close()
  server = undefined
  receiver = undefined
})

const postRun = (url: string, rows: ReadonlyArray<Record<string, unknown>>, spec: Record<string, unknown> = {}) =>
  fetch(`${url}/v1/runs`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ spec: { name: `node-${crypto.randomUUID()}`, event: "Churn Score", customerId: "customer_id", ...spec }, rows })
  })

/** The samples of a Prometheus text exposition: `name{labels}` → value; every other line must be a comment. */
const samplesOf = (text: string): Map<string, number> => {
  const samples = new Map<string, number>()
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`)
    samples.set(match[1]!, Number(match[2]))
  }
  return samples
}

describe("GET /metrics on the Node edge", () => {
  it("needs the token, and answers the process's runs and requests in the Prometheus text format", async () => {
    server = await startNodeServer({ port: 0, env: baseEnv })
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
    const first = await fetch(`${server.url}/metrics`, { headers: auth })
    expect(first.status).toBe(200)
    expect(first.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8")
    // Before any run the counters are there, at 0.
    expect(samplesOf(await first.text()).get("tablecast_edge_rows_read_total")).toBe(0)

    expect((await postRun(server.url, scoreRows(120))).status).toBe(200)
    // Row 2 has no customer id: rejected before sending.
    const withReject = scoreRows(30).map((row, index) => (index === 1 ? { ...row, customer_id: null } : row))
    const second = await postRun(server.url, withReject)
    const report = (await second.json()) as { outcome: string; batches: { requests: number } }
    expect(await (await fetch(`${server.url}/v1/runs/not-a-run-id`, { headers: auth })).status).toBe(404)

    const text = await (await fetch(`${server.url}/metrics`, { headers: auth })).text()
    const samples = samplesOf(text)
    expect(samples.get('tablecast_edge_runs_total{outcome="completed"}')).toBe(report.outcome === "completed" ? 2 : 1)
    expect(samples.get("tablecast_edge_rows_read_total")).toBe(150)
    expect(samples.get("tablecast_edge_rows_rejected_total")).toBe(1)
    expect(samples.get("tablecast_edge_messages_accepted_total")).toBe(149)
    expect(samples.get("tablecast_edge_segment_requests_total")).toBeGreaterThanOrEqual(2)
    expect(samples.get("tablecast_edge_runs_in_progress")).toBe(0)
    // Routes as their patterns: the run id in the path does not become a label value.
    expect(samples.get('tablecast_edge_http_requests_total{method="POST",route="/v1/runs",status="200"}')).toBe(2)
    expect(samples.get('tablecast_edge_http_requests_total{method="GET",route="/v1/runs/:runId",status="404"}')).toBe(1)
    expect(samples.get('tablecast_edge_http_requests_total{method="GET",route="/metrics",status="401"}')).toBe(1)
    expect(text).not.toContain("not-a-run-id")
    expect(text).not.toContain("c-1")
    expect(text).toContain("# TYPE tablecast_edge_runs_total counter")
  })
})

describe("OTLP on the Node edge", () => {
  it("refuses to start on an OTEL variable it cannot use, naming it, never its value", async () => {
    const failure = await startNodeServer({ port: 0, env: { ...baseEnv, OTEL_EXPORTER_OTLP_ENDPOINT: "not a url secret-7f1c" } }).catch(
      (error: unknown) => error
    )
    expect(failure).toBeInstanceOf(EdgeConfigError)
    expect((failure as EdgeConfigError).variables).toEqual(["OTEL_EXPORTER_OTLP_ENDPOINT"])
    expect((failure as EdgeConfigError).message).not.toContain("secret-7f1c")
  })

  it("exports each run's span and requests when the OTEL_* variables are set", async () => {
    receiver = await startOtlpReceiver()
    server = await startNodeServer({
      port: 0,
      env: { ...baseEnv, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_SERVICE_NAME: "edge-node" }
    })
    const response = await postRun(server.url, scoreRows(250), { name: "node-otel" })
    const report = (await response.json()) as { runId: string; batches: { requests: number } }
    expect(response.status).toBe(200)
    // On Node the last export goes on after the answer: wait for the run span to arrive.
    await expect.poll(() => decodeOtlpJson(receiver!.exports).spans.some((span) => span.name === "tablecast.run"), { timeout: 20_000 }).toBe(true)
    const exported = decodeOtlpJson(receiver.exports)
    const run = exported.spans.find((span) => span.name === "tablecast.run")!
    expect(otlpAttribute(run.attributes, "tablecast.run.id")).toBe(report.runId)
    expect(otlpAttribute(run.attributes, "tablecast.sync.name")).toBe("node-otel")
    expect(exported.spans.filter((span) => span.name === "tablecast.request" && span.parentSpanId === run.spanId)).toHaveLength(
      report.batches.requests
    )
    expect(new Set(exported.serviceNames)).toEqual(new Set(["edge-node"]))
  })
})

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { decodeOtlpJson, type OtlpReceiver, otlpAttribute, otlpPointValue, startOtlpReceiver } from "@tablecast/telemetry/testing"
import { afterEach, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
const example = path.resolve(here, "../../../examples/sales-predictions.csv")
const dist = path.resolve(here, "../dist")
const WRITE_KEY = "wk_test_otel_7c41b2"
const OTEL_KEY = "otel-k3y-9f8e7d"

let sink: Sink | undefined
let receiver: OtlpReceiver | undefined
afterEach(async () => {
  await sink?.close()
  await receiver?.close()
  sink = undefined
  receiver = undefined
})

const syncArgs = (endpoint: string) => [
  "sync",
  "-f",
  example,
  "-e",
  "Sales Prediction",
  "-u",
  "customer_id",
  "-p",
  "email,iphone",
  "--endpoint",
  endpoint,
  "--json",
  "--no-checkpoint"
]

/**
 * A hook (node --import) that writes the URL of every module the process loads to a file, and at
 * exit `node:internal/deps/undici` when Node's bundled undici (what `fetch` loads) was loaded.
 */
const moduleLog = () => {
  const folder = mkdtempSync(path.join(tmpdir(), "tablecast-modules-"))
  const log = path.join(folder, "loaded.txt")
  const hook = path.join(folder, "hook.mjs")
  writeFileSync(log, "")
  writeFileSync(
    hook,
    `import { registerHooks } from "node:module"\nimport { appendFileSync } from "node:fs"\nregisterHooks({ load(url, context, nextLoad) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return nextLoad(url, context) } })\n` +
      `process.on("exit", () => { if (process.moduleLoadList.includes("NativeModule internal/deps/undici/undici")) appendFileSync(${JSON.stringify(log)}, "node:internal/deps/undici\\n") })\n`
  )
  return {
    nodeOptions: `--import=${pathToFileURL(hook).href}`,
    loaded: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => line !== "")
  }
}

/** The bundle's files that hold Effect's OTLP exporter (its trace serializer). */
const exporterChunks = () =>
  readdirSync(dist).filter(
    (file) => file.startsWith("chunk-") && file.endsWith(".js") && readFileSync(path.join(dist, file), "utf8").includes("resourceSpans")
  )

describe("tablecast sync with OpenTelemetry", () => {
  it("without OTEL_* variables, never loads the exporter; with them, loads it", async () => {
    expect(exporterChunks()).toHaveLength(1)
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    receiver = await startOtlpReceiver()
    const plain = moduleLog()
    const result = await runCli(syncArgs(sink.url), { env: { SEGMENT_WRITE_KEY: WRITE_KEY, NODE_OPTIONS: plain.nodeOptions } })
    expect(result.code).toBe(0)
    expect(plain.loaded().some((url) => url.endsWith("/dist/tablecast.js"))).toBe(true)
    expect(plain.loaded().filter((url) => exporterChunks().some((chunk) => url.endsWith(`/${chunk}`)))).toEqual([])

    const traced = moduleLog()
    const withOtel = await runCli(syncArgs(sink.url), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, NODE_OPTIONS: traced.nodeOptions, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }
    })
    expect(withOtel.code).toBe(0)
    expect(traced.loaded().filter((url) => exporterChunks().some((chunk) => url.endsWith(`/${chunk}`)))).toHaveLength(1)
    // The exporter posts through node:http: Node's fetch would load undici (16–18 MiB resident).
    expect(traced.loaded()).not.toContain("node:internal/deps/undici")
    expect(receiver.exports.map((sent) => sent.path)).toEqual(expect.arrayContaining(["/v1/traces", "/v1/metrics"]))
    // The default protocol is http/protobuf, as the specification says.
    expect(new Set(receiver.exports.map((sent) => sent.contentType))).toEqual(new Set(["application/x-protobuf"]))
  })

  it("exports a run span with a child span per request, and the run's metrics, with no row value or secret", async () => {
    // Some requests answered 429 (Retry-After 0): retried, so spans of attempt 2 and status 429 show up.
    sink = await startSink({ writeKeys: [WRITE_KEY], throttleShare: 0.1, retryAfterSeconds: 0, seed: 7 })
    receiver = await startOtlpReceiver()
    const result = await runCli([...syncArgs(sink.url), "--batch-count", "100"], {
      env: {
        SEGMENT_WRITE_KEY: WRITE_KEY,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${OTEL_KEY}`,
        OTEL_SERVICE_NAME: "nightly-scores"
      }
    })
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(3_000)

    // Every export carried the headers of OTEL_EXPORTER_OTLP_HEADERS; the CLI never printed them.
    expect(receiver.exports.length).toBeGreaterThan(0)
    for (const sent of receiver.exports) expect(sent.headers["x-api-key"]).toBe(OTEL_KEY)
    for (const text of [result.stdout, result.stderr]) expect(text).not.toContain(OTEL_KEY)

    const otlp = decodeOtlpJson(receiver.exports)
    for (const serviceName of otlp.serviceNames) expect(serviceName).toBe("nightly-scores")
    const spans = otlp.spans
    const runSpans = spans.filter((span) => span.name === "tablecast.run")
    expect(runSpans).toHaveLength(1)
    const run = runSpans[0]!
    expect(otlpAttribute(run.attributes, "tablecast.outcome")).toBe(report.outcome)
    expect(otlpAttribute(run.attributes, "tablecast.rows.read")).toBe(report.rows.read)
    expect(otlpAttribute(run.attributes, "tablecast.messages.accepted")).toBe(3_000)

    const requests = spans.filter((span) => span.name === "tablecast.request")
    expect(requests).toHaveLength(report.batches.requests)
    for (const request of requests) {
      expect(request.parentSpanId).toBe(run.spanId)
      expect(otlpAttribute(request.attributes, "tablecast.batch.messages")).toBeGreaterThan(0)
      expect(otlpAttribute(request.attributes, "tablecast.batch.bytes")).toBeGreaterThan(0)
      expect(otlpAttribute(request.attributes, "tablecast.request.attempt")).toBeGreaterThanOrEqual(1)
      expect(["200", "429"]).toContain(otlpAttribute(request.attributes, "http.response.status_code"))
    }
    const ok = requests.filter((span) => otlpAttribute(span.attributes, "http.response.status_code") === "200")
    const throttled = requests.filter((span) => otlpAttribute(span.attributes, "http.response.status_code") === "429")
    expect(ok.reduce((sum, span) => sum + Number(otlpAttribute(span.attributes, "tablecast.batch.messages")), 0)).toBe(3_000)
    expect(throttled.length).toBe(report.batches.retries)
    expect(throttled.length).toBeGreaterThan(0)
    expect(requests.some((span) => Number(otlpAttribute(span.attributes, "tablecast.request.attempt")) >= 2)).toBe(true)

    const metrics = otlp.metrics
    // Cumulative temporality: the last export holds the totals.
    const last = (name: string) => metrics.filter((metric) => metric.name === name).at(-1)
    const total = (name: string) => (last(name)?.sum?.dataPoints ?? []).reduce((sum, point) => sum + otlpPointValue(point), 0)
    expect(total("tablecast.rows.read")).toBe(3_000)
    expect(total("tablecast.messages.accepted")).toBe(3_000)
    expect(total("tablecast.retries")).toBe(report.batches.retries)
    expect(total("tablecast.requests.throttled")).toBe(throttled.length)
    expect(total("tablecast.request.bytes")).toBeGreaterThan(0)
    // Counters with nothing to count are exported at 0, not left out.
    expect(last("tablecast.rows.rejected")).toBeDefined()
    expect(total("tablecast.rows.rejected")).toBe(report.rows.rejected)
    expect(total("tablecast.messages.failed")).toBe(0)
    const byStatus = new Map(
      (last("tablecast.requests")?.sum?.dataPoints ?? []).map((point) => [otlpAttribute(point.attributes, "status"), otlpPointValue(point)])
    )
    expect(byStatus).toEqual(
      new Map([
        ["200", ok.length],
        ["429", throttled.length]
      ])
    )
    expect(Number(last("tablecast.request.duration")?.histogram?.dataPoints[0]?.count)).toBe(requests.length)
    expect(last("tablecast.requests.in_flight")?.gauge?.dataPoints.length).toBeGreaterThan(0)
    expect(last("tablecast.queue.depth")?.gauge?.dataPoints.length).toBeGreaterThan(0)

    // No row value (an email, a customer id, a score) and no write key in anything exported.
    const exported = receiver.exports.map((sent) => sent.body.toString("utf8")).join("\n")
    for (const secretOrValue of [WRITE_KEY, OTEL_KEY, "yuki.kim@example.net", "162514333", "0.734"]) expect(exported).not.toContain(secretOrValue)
  })

  it("traces an incremental sync too: its run span, with the requests under it", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    receiver = await startOtlpReceiver()
    const cwd = mkdtempSync(path.join(tmpdir(), "tablecast-otel-incremental-"))
    const result = await runCli([...syncArgs(sink.url), "--key", "customer_id"], {
      cwd,
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }
    })
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(3_000)
    const spans = decodeOtlpJson(receiver.exports).spans
    const run = spans.find((span) => span.name === "tablecast.run")
    expect(otlpAttribute(run?.attributes, "tablecast.run.kind")).toBe("incremental")
    const requests = spans.filter((span) => span.name === "tablecast.request")
    expect(requests).toHaveLength(report.batches.requests)
    for (const request of requests) expect(request.parentSpanId).toBe(run?.spanId)
  })

  it("OTEL_SDK_DISABLED=true exports nothing; a bad OTEL variable is a usage error naming it, never its value", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    receiver = await startOtlpReceiver()
    const disabled = await runCli(syncArgs(sink.url), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: "true" }
    })
    expect(disabled.code).toBe(0)
    expect(receiver.exports).toEqual([])

    const bad = await runCli(syncArgs(sink.url), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: `${OTEL_KEY}-no-equals-sign` }
    })
    expect(bad.code).toBe(2)
    expect(bad.stdout + bad.stderr).toContain("OTEL_EXPORTER_OTLP_HEADERS")
    expect(bad.stdout + bad.stderr).not.toContain(OTEL_KEY)
    expect(receiver.exports).toEqual([])
  })

  it("a collector that cannot be reached never fails the sync", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const gone = await startOtlpReceiver()
    await gone.close()
    const result = await runCli(syncArgs(sink.url), { env: { SEGMENT_WRITE_KEY: WRITE_KEY, OTEL_EXPORTER_OTLP_ENDPOINT: gone.url } })
    expect(result.code).toBe(0)
    expect((JSON.parse(result.stdout) as DeliveryReport).messages.accepted).toBe(3_000)
    expect(result.stderr).toBe("")
  })
})

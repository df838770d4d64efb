import { type DeliveryReport, ProgressListener, Transport, type TransportShape } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { afterEach, describe, expect, it } from "vitest"
import type { OtelSettings } from "./OtelSettings.ts"
import { startRunExport } from "./RunExport.ts"
import { decodeOtlpJson, type OtlpReceiver, otlpAttribute, startOtlpReceiver } from "./testing/index.ts"

let receiver: OtlpReceiver | undefined
afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

const settingsFor = (url: string): OtelSettings => ({
  tracesUrl: `${url}/v1/traces`,
  metricsUrl: `${url}/v1/metrics`,
  headers: {},
  serviceName: "edge-test",
  resourceAttributes: { "deployment.environment": "test" },
  protocol: "http/json"
})

const okTransport: TransportShape = {
  endpoint: "http://127.0.0.1/v1/batch",
  envelopeBytes: 40,
  send: (batch) => Effect.succeed({ status: 200, bodyBytes: 40 + batch.messageBytes })
}

/** A stand-in for a run: sends `requests` batches of 10 messages through the Transport, tells progress once. */
const fakeRun = (requests: number) =>
  Effect.gen(function* () {
    const transport = yield* Transport
    for (let attempt = 0; attempt < requests; attempt++) yield* transport.send({ messages: Array(10).fill("{}"), messageBytes: 20, attempt: 1 })
    const listener = yield* ProgressListener
    listener.onProgress({
      rowsRead: requests * 10,
      rowsRejected: 0,
      messagesBuilt: requests * 10,
      messagesAccepted: requests * 10,
      messagesFailed: 0,
      messagesQueued: 0,
      batchesInFlight: 0,
      retries: 0,
      estimatedRows: undefined,
      elapsedMillis: 1
    })
    return { requests } as unknown as DeliveryReport
  })

const reportOf = (report: DeliveryReport) =>
  ({
    outcome: "completed",
    dryRun: false,
    rows: { read: 0, rejected: 0 },
    messages: { accepted: 0, refused: 0, undelivered: 0 },
    batches: { requests: (report as unknown as { requests: number }).requests, retries: 0 },
    bytesSent: 0
  }) as unknown as DeliveryReport

describe("startRunExport", () => {
  it("exports each run's spans and its own counts (delta, a registry per run) when flushed", async () => {
    receiver = await startOtlpReceiver()
    const settings = settingsFor(receiver.url)
    for (const [runId, requests] of [
      ["run-a", 2],
      ["run-b", 3]
    ] as const) {
      const runExport = await startRunExport(settings, "9.9.9", { resourceAttributes: { "cloud.platform": "cloudflare_workers" } })
      const run = fakeRun(requests).pipe(
        runExport.instrument({ syncName: undefined, kind: "sync", runId, trigger: "edge" }, reportOf),
        Effect.provideService(Transport, okTransport)
      )
      await Effect.runPromise(run)
      await runExport.flush()
    }
    const metricsExports = receiver.exports.filter((sent) => sent.path === "/v1/metrics")
    // One export of each run's metrics, each with its own counts, not a running total.
    expect(metricsExports.map((sent) => decodeOtlpJson([sent]).counterTotal("tablecast.requests"))).toEqual([2, 3])
    expect(metricsExports.map((sent) => decodeOtlpJson([sent]).counterTotal("tablecast.rows.read"))).toEqual([20, 30])

    const exported = decodeOtlpJson(receiver.exports)
    const runs = exported.spans.filter((span) => span.name === "tablecast.run")
    expect(runs.map((span) => otlpAttribute(span.attributes, "tablecast.run.id"))).toEqual(["run-a", "run-b"])
    expect(runs.map((span) => otlpAttribute(span.attributes, "tablecast.run.trigger"))).toEqual(["edge", "edge"])
    expect(runs.map((span) => otlpAttribute(span.attributes, "tablecast.requests"))).toEqual([2, 3])
    for (const run of runs) {
      const requests = exported.spans.filter((span) => span.name === "tablecast.request" && span.parentSpanId === run.spanId)
      expect(requests.length).toBe(otlpAttribute(run.attributes, "tablecast.requests"))
    }
    const traces = receiver.exports.filter((sent) => sent.path === "/v1/traces").map((sent) => JSON.parse(sent.body.toString("utf8")))
    const resource = traces[0].resourceSpans[0].resource.attributes
    expect(otlpAttribute(resource, "service.name")).toBe("edge-test")
    expect(otlpAttribute(resource, "service.version")).toBe("9.9.9")
    expect(otlpAttribute(resource, "deployment.environment")).toBe("test")
    expect(otlpAttribute(resource, "cloud.platform")).toBe("cloudflare_workers")
  })

  it("a flush to a collector that cannot be reached settles without an error", async () => {
    const gone = await startOtlpReceiver()
    await gone.close()
    const runExport = await startRunExport(settingsFor(gone.url), "9.9.9")
    await Effect.runPromise(
      fakeRun(1).pipe(runExport.instrument({ syncName: "s", kind: "sync" }, reportOf), Effect.provideService(Transport, okTransport))
    )
    await expect(runExport.flush()).resolves.toBeUndefined()
  })
})

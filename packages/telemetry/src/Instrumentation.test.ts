import { type ProgressSnapshot, TransportError, type TransportShape } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import { describe, expect, it } from "vitest"
import { instrumentProgress, instrumentTransport } from "./Instrumentation.ts"
import { SyncMetrics } from "./SyncMetrics.ts"

/** A transport answering each attempt from a script, and keeping the span each request ran in. */
const scripted = (answers: ReadonlyArray<number | "network">) => {
  const spans: Array<Tracer.Span> = []
  const transport: TransportShape = {
    endpoint: "http://127.0.0.1/v1/batch",
    envelopeBytes: 40,
    send: (batch) =>
      Effect.gen(function* () {
        spans.push(yield* Effect.orDie(Effect.currentSpan))
        const answer = answers[batch.attempt - 1] ?? 200
        if (answer === 200) return { status: 200, bodyBytes: 123 }
        return yield* new TransportError(
          answer === "network"
            ? { kind: "network", retryable: true, message: "ECONNRESET" }
            : { kind: answer === 429 ? "throttled" : "server", retryable: true, status: answer, message: "" }
        )
      })
  }
  return { transport, spans }
}

const batch = (attempt: number) => ({ messages: ['{"userId":"162514333"}', '{"userId":"2"}'], messageBytes: 38, attempt })

describe("instrumentTransport", () => {
  it("runs each request in a span under the run's, with its batch size, bytes, attempt and status, and counts it", async () => {
    const { transport, spans } = scripted([429, "network", 503, 200])
    const exits = await Effect.runPromise(
      Effect.gen(function* () {
        const run = yield* Effect.orDie(Effect.currentSpan)
        const context = yield* Effect.context<never>()
        const instrumented = instrumentTransport(transport, run, context)
        const results = []
        for (const attempt of [1, 2, 3, 4]) results.push(yield* Effect.exit(instrumented.send(batch(attempt))))
        const requests = yield* Metric.value(SyncMetrics.requests.pipe(Metric.withAttributes({ status: "429" })))
        const network = yield* Metric.value(SyncMetrics.requests.pipe(Metric.withAttributes({ status: "network" })))
        const throttled = yield* Metric.value(SyncMetrics.throttled)
        const durations = yield* Metric.value(SyncMetrics.requestDuration)
        return { results, runId: run.spanId, requests, network, throttled, durations }
      }).pipe(Effect.withSpan("tablecast.run"), Effect.provideService(Metric.MetricRegistry, new Map()))
    )
    expect(exits.results.map((exit) => exit._tag)).toEqual(["Failure", "Failure", "Failure", "Success"])
    expect(spans.map((span) => Option.getOrUndefined(span.parent)?.spanId)).toEqual([exits.runId, exits.runId, exits.runId, exits.runId])
    expect(spans.map((span) => span.name)).toEqual(["tablecast.request", "tablecast.request", "tablecast.request", "tablecast.request"])
    expect(spans.map((span) => span.attributes.get("http.response.status_code"))).toEqual(["429", "network", "503", "200"])
    expect(spans.map((span) => span.attributes.get("tablecast.request.attempt"))).toEqual([1, 2, 3, 4])
    expect(spans.map((span) => span.attributes.get("tablecast.error.kind"))).toEqual(["throttled", "network", "server", undefined])
    for (const span of spans) {
      expect(span.attributes.get("tablecast.batch.messages")).toBe(2)
      expect(span.attributes.get("tablecast.batch.bytes")).toBe(38)
      // Only counts, sizes and statuses: no message text in any attribute.
      for (const value of span.attributes.values()) expect(String(value)).not.toContain("162514333")
    }
    expect(spans[3]?.attributes.get("http.request.body.size")).toBe(123)
    expect(exits.requests.count).toBe(1)
    expect(exits.network.count).toBe(1)
    expect(exits.throttled.count).toBe(1)
    expect(exits.durations.count).toBe(4)
  })
})

describe("instrumentProgress", () => {
  it("adds what each snapshot counted since the last, sets the gauges, and still tells the listener", async () => {
    const told: Array<number> = []
    const snapshot = (rowsRead: number, retries: number, queued: number): ProgressSnapshot => ({
      rowsRead,
      rowsRejected: 1,
      messagesBuilt: rowsRead,
      messagesAccepted: rowsRead - 1,
      messagesFailed: 0,
      messagesQueued: queued,
      batchesInFlight: 3,
      retries,
      estimatedRows: undefined,
      elapsedMillis: 0
    })
    const values = await Effect.runPromise(
      Effect.gen(function* () {
        const onProgress = instrumentProgress((seen) => told.push(seen.rowsRead), yield* Effect.context<never>())
        onProgress(snapshot(100, 0, 50))
        onProgress(snapshot(250, 2, 7))
        onProgress(snapshot(250, 2, 0))
        return {
          read: yield* Metric.value(SyncMetrics.rowsRead),
          rejected: yield* Metric.value(SyncMetrics.rowsRejected),
          retries: yield* Metric.value(SyncMetrics.retries),
          queue: yield* Metric.value(SyncMetrics.queueDepth),
          inFlight: yield* Metric.value(SyncMetrics.inFlight)
        }
      }).pipe(Effect.provideService(Metric.MetricRegistry, new Map()))
    )
    expect(told).toEqual([100, 250, 250])
    expect(values.read.count).toBe(250)
    expect(values.rejected.count).toBe(1)
    expect(values.retries.count).toBe(2)
    expect(values.queue.value).toBe(0)
    expect(values.inFlight.value).toBe(3)
  })
})

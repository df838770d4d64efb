import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { PipelineOptions, type PipelineOptionsInput } from "../spec/PipelineOptions.ts"
import { type RejectedRow, RejectSink } from "../report/RejectSink.ts"
import { SourceError } from "../source/RowSource.ts"
import * as Sync from "./Sync.ts"
import { SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"
import { memorySource, type MemorySourceOptions } from "../testing/MemorySource.ts"
import { type Answer, httpError, type RecordedRequest, recordingTransport } from "../testing/RecordingTransport.ts"

const spec: SyncSpecInput = { event: "Sales Prediction", customerId: "customer_id" }

const rows = (count: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, row: i + 1, score: "0.5", ...extra(i + 1) }))

interface Harness {
  readonly rows: ReadonlyArray<Record<string, unknown>>
  readonly options?: PipelineOptionsInput
  readonly spec?: SyncSpecInput
  readonly answer?: (request: RecordedRequest, index: number) => Answer
  readonly source?: MemorySourceOptions
}

const harness = (h: Harness) => {
  const transport = recordingTransport(h.answer)
  const rejects: Array<RejectedRow> = []
  const layer = Layer.mergeAll(
    memorySource(h.rows, h.source),
    transport.layer,
    Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
  )
  const run = Sync.run({ spec: SyncSpec.parse(h.spec ?? spec), options: PipelineOptions.parse(h.options ?? {}) }).pipe(
    Effect.provide(layer),
    Random.withSeed(42)
  )
  return { run, transport, rejects }
}

/** Runs to the end, moving the test clock along while the pipeline sleeps. */
const runToEnd = (run: Effect.Effect<DeliveryReport>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 10_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    return yield* Fiber.join(fiber)
  })

const sentRows = (requests: ReadonlyArray<RecordedRequest>) => requests.flatMap((request) => request.rowNumbers)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe("Sync.run", () => {
  it.effect("delivers every row once, in order, in batches of the configured count", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(250), options: { batchCount: 100 } })
      const report = yield* runToEnd(run)
      assert.deepStrictEqual(
        transport.requests.map((r) => r.messageIds.length),
        [100, 100, 50]
      )
      assert.deepStrictEqual(sentRows(transport.requests), range(1, 250))
      assert.strictEqual(report.outcome, "completed")
      assert.deepStrictEqual(report.rows, { read: 250, mapped: 250, rejected: 0, skipped: 0 })
      assert.deepStrictEqual(report.messages, { built: 250, sent: 250, accepted: 250, refused: 0, undelivered: 0 })
      assert.strictEqual(report.batches.accepted, 3)
      assert.strictEqual(new Set(transport.accepted).size, 250)
    })
  )

  it.effect("by default fills each batch toward the byte limit, within Segment's 2,500 messages", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(6_000) })
      const report = yield* runToEnd(run)
      const requests = transport.requests
      assert.isTrue(requests.every((r) => r.bodyBytes <= 475_000 && r.messageIds.length <= 2_500))
      // Each batch but the last stopped because the next message would not fit (these are ~200 bytes).
      assert.isTrue(
        requests.slice(0, -1).every((r) => r.bodyBytes > 475_000 - 300),
        `bodies ${requests.map((r) => r.bodyBytes)}`
      )
      assert.strictEqual(requests.length, 3)
      assert.strictEqual(report.messages.accepted, 6_000)
    })
  )

  it.effect("the small profile sends the seed's 100 messages per batch", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(250), options: { batchProfile: "small" } })
      yield* runToEnd(run)
      assert.deepStrictEqual(
        transport.requests.map((r) => r.messageIds.length),
        [100, 100, 50]
      )
    })
  )

  it.effect("flushes a partial batch 0.5 s after the last flush, not before", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(3), source: { tail: Stream.never } })
      const fiber = yield* Effect.forkChild(run)
      yield* TestClock.adjust(499)
      assert.strictEqual(transport.requests.length, 0)
      yield* TestClock.adjust(1)
      assert.strictEqual(transport.requests.length, 1)
      assert.deepStrictEqual(transport.requests[0]!.rowNumbers, [1, 2, 3])
      yield* Fiber.interrupt(fiber)
    })
  )

  it.effect("keeps every request body under the byte limit, envelope included", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(20, () => ({ blob: "x".repeat(10_000) })),
        options: { batchBytes: 40_000 }
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.messages.accepted, 20)
      assert.isTrue(transport.requests.every((r) => r.messageIds.length === 3 || r.messageIds.length === 2))
      assert.deepStrictEqual(sentRows(transport.requests), range(1, 20))
    })
  )

  it.effect("makes the reader wait when the queue is full, and drops nothing", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      let pulled = 0
      const { run, transport } = harness({
        rows: rows(1_000),
        options: { queueCapacity: 10, batchCount: 5, maxInFlight: 1 },
        source: { chunkSize: 1, onPull: (n) => (pulled = n) },
        answer: () => Deferred.await(gate).pipe(Effect.as({ status: 200, bodyBytes: 0 }))
      })
      const fiber = yield* Effect.forkChild(run)
      for (let i = 0; i < 20; i++) yield* TestClock.adjust(1_000)
      // One batch in flight, one waiting for a slot, ten in the queue, one row being offered.
      assert.isAtMost(pulled, 5 + 5 + 10 + 2)
      assert.strictEqual(transport.requests.length, 1)
      yield* Deferred.succeed(gate, undefined)
      const report = yield* runToEnd(Fiber.join(fiber))
      assert.strictEqual(report.messages.accepted, 1_000)
      assert.deepStrictEqual(sentRows(transport.requests), range(1, 1_000))
    })
  )

  it.effect("retries a 500 with exponential backoff and jitter, then delivers", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(10),
        answer: (_, index) => (index < 3 ? httpError(500) : "ok")
      })
      const report = yield* runToEnd(run)
      const times = transport.requests.map((r) => r.at)
      assert.deepStrictEqual(
        transport.requests.map((r) => r.attempt),
        [1, 2, 3, 4]
      )
      const gaps = times.slice(1).map((t, i) => t - times[i]!)
      // 0.5 s · 2^n with jitter in [d/2, d], seen on a test clock that moves 100 ms at a time.
      assert.isTrue(gaps[0]! >= 250 && gaps[0]! <= 600, `first gap ${gaps[0]}`)
      assert.isTrue(gaps[1]! >= 500 && gaps[1]! <= 1_100, `second gap ${gaps[1]}`)
      assert.isTrue(gaps[2]! >= 1_000 && gaps[2]! <= 2_100, `third gap ${gaps[2]}`)
      assert.strictEqual(report.batches.retries, 3)
      assert.strictEqual(report.batches.requests, 4)
      assert.strictEqual(report.messages.accepted, 10)
      assert.strictEqual(report.outcome, "completed")
    })
  )

  it.effect("honours Retry-After on a 429 for the batch refused; the other senders go on", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(1_000),
        options: { maxInFlight: 4, batchCount: 100 },
        answer: (_request, index) => (index === 0 ? httpError(429, 5_000) : "ok")
      })
      const report = yield* runToEnd(run)
      const firstRetry = transport.requests.find((r) => r.attempt === 2)!
      assert.isAtLeast(firstRetry.at, 5_000)
      // The other batches did not wait for the refused one's Retry-After.
      const throttledAt = transport.requests[0]!.at
      assert.isTrue(transport.requests.some((r) => r.attempt === 1 && r.at > throttledAt && r.at < throttledAt + 5_000))
      assert.strictEqual(report.messages.accepted, 1_000)
      assert.strictEqual(new Set(transport.accepted).size, 1_000)
      assert.strictEqual(report.sending?.throttled, 1)
      assert.strictEqual(report.sending?.throttleWaitMillis, 5_000)
    })
  )

  it.effect("a Retry-After over 30 s pauses every sender meanwhile, as Segment asks", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(1_000),
        options: { maxInFlight: 4, batchCount: 100 },
        answer: (_request, index) => (index === 0 ? httpError(429, 60_000) : "ok")
      })
      const report = yield* runToEnd(run)
      // Once the 429 came back, nothing was posted before the pause ended (ten batches: others were waiting).
      const throttledAt = transport.requests[0]!.at
      assert.isAtLeast(transport.requests.filter((r) => r.at >= throttledAt + 60_000).length, 10)
      assert.isTrue(transport.requests.every((r) => r.at === throttledAt || r.at >= throttledAt + 60_000))
      assert.strictEqual(report.messages.accepted, 1_000)
      assert.strictEqual(new Set(transport.accepted).size, 1_000)
    })
  )

  it.effect("reports every row of a batch the endpoint refuses as a whole (404: no halves), and goes on", () =>
    Effect.gen(function* () {
      const { run, rejects, transport } = harness({
        rows: rows(300),
        options: { batchCount: 100 },
        answer: (_, index) => (index === 1 ? httpError(404) : "ok")
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "incomplete")
      assert.strictEqual(report.messages.accepted, 200)
      assert.strictEqual(report.messages.refused, 100)
      assert.strictEqual(report.batches.retries, 0)
      assert.strictEqual(transport.requests.length, 3)
      assert.deepStrictEqual(
        rejects.map((r) => r.row),
        range(101, 200)
      )
      assert.isTrue(rejects.every((r) => r.stage === "batch-refused" && r.status === 404 && r.reason.includes("HTTP 404")))
    })
  )

  it.effect("stops at once on a refused write key and accounts for what was not sent", () =>
    Effect.gen(function* () {
      let pulled = 0
      const { run, transport, rejects } = harness({
        rows: rows(100_000),
        options: { queueCapacity: 500, batchCount: 100 },
        source: { onPull: (n) => (pulled = n) },
        answer: () => httpError(401)
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "aborted")
      assert.strictEqual(report.fatal?.kind, "auth")
      assert.match(report.fatal!.message, /refused the write key/)
      assert.isAtMost(transport.requests.length, 4)
      assert.isBelow(pulled, 2_000)
      assert.strictEqual(report.messages.accepted, 0)
      assert.strictEqual(report.messages.undelivered, report.messages.built)
      // A run-level failure: one fatal error, the undelivered rows as ranges in the report, and not
      // a reject per queued row (the rejects are for rows rejected for what they are).
      assert.deepStrictEqual(rejects, [])
      assert.strictEqual(report.rejects.total, 0)
      assert.deepStrictEqual(report.undeliveredRows, [[1, report.messages.built]])
    })
  )

  it.effect("stops the run as unreachable when a batch's retries run out (a cap on attempts the user set)", () =>
    Effect.gen(function* () {
      const { run, rejects } = harness({
        rows: rows(150),
        options: { maxAttempts: 3, batchCount: 100 },
        answer: (request) => (request.rowNumbers[0] === 101 ? httpError(503) : "ok")
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "aborted")
      assert.strictEqual(report.fatal?.kind, "unreachable")
      assert.match(report.fatal!.message, /did not accept a batch within the retry budget \(3 attempts .*at most 3 attempts; last: HTTP 503/)
      assert.strictEqual(report.messages.accepted, 100)
      assert.strictEqual(report.messages.undelivered, 50)
      assert.strictEqual(report.batches.requests, 2 + 2)
      assert.deepStrictEqual(report.undeliveredRows, [[101, 150]])
      assert.deepStrictEqual(rejects, [])
    })
  )

  it.effect("rejects an oversized row alone; its neighbours arrive in the same batch", () =>
    Effect.gen(function* () {
      const { run, transport, rejects } = harness({ rows: rows(5, (i) => (i === 3 ? { blob: "x".repeat(40_000) } : {})) })
      const report = yield* runToEnd(run)
      assert.deepStrictEqual(
        transport.requests.map((r) => r.rowNumbers),
        [[1, 2, 4, 5]]
      )
      assert.strictEqual(report.rows.rejected, 1)
      assert.strictEqual(rejects[0]!.row, 3)
      assert.strictEqual(rejects[0]!.stage, "validation")
      assert.match(rejects[0]!.reason, /over Segment's 32000-byte limit/)
      assert.strictEqual(report.outcome, "completed")
    })
  )

  it.effect("passes rows the source could not read to the rejects, and reads on", () =>
    Effect.gen(function* () {
      const bad = Stream.make({ _tag: "Malformed" as const, malformed: { rowNumber: 4, line: 5, reason: "unclosed quote" } })
      const { run, rejects } = harness({ rows: rows(3), source: { tail: bad } })
      const report = yield* runToEnd(run)
      assert.deepStrictEqual(report.rows, { read: 4, mapped: 3, rejected: 1, skipped: 0 })
      assert.deepStrictEqual(rejects, [{ row: 4, line: 5, stage: "source", reason: "unclosed quote" }])
    })
  )

  it.effect("delivers what was read when the source fails mid-way, and says why the run ended", () =>
    Effect.gen(function* () {
      const broken = Stream.fail(new SourceError({ message: "connection lost", code: "connection" }))
      const { run } = harness({ rows: rows(30), source: { tail: broken } })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.messages.accepted, 30)
      assert.strictEqual(report.outcome, "aborted")
      assert.deepStrictEqual(report.fatal, { kind: "source", message: "connection lost" })
    })
  )

  it.effect("refuses to start when the sync names a column the source does not have", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(3),
        spec: { ...spec, properties: ["score", "iphone"] },
        source: { columns: ["customer_id", "row", "score"] }
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(transport.requests.length, 0)
      assert.strictEqual(report.fatal?.kind, "spec")
      assert.match(report.fatal!.message, /"iphone".*customer_id, row, score/)
    })
  )

  it.effect("sends nothing in a dry run, and says how many batches it would send", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(250), options: { dryRun: true, batchCount: 100 } })
      const report = yield* runToEnd(run)
      assert.strictEqual(transport.requests.length, 0)
      assert.strictEqual(report.batches.planned, 3)
      assert.strictEqual(report.messages.built, 250)
      assert.strictEqual(report.dryRun, true)
    })
  )
})

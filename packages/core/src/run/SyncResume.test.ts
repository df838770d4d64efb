import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { type Checkpoint, CheckpointStore, memoryCheckpointStore } from "../resume/Checkpoint.ts"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { PipelineOptions, type PipelineOptionsInput } from "../spec/PipelineOptions.ts"
import { type RejectedRow, RejectSink } from "../report/RejectSink.ts"
import * as Sync from "./Sync.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource, type MemorySourceOptions } from "../testing/MemorySource.ts"
import { type Answer, httpError, type RecordedRequest, recordingTransport } from "../testing/RecordingTransport.ts"

const spec = SyncSpec.parse({ event: "Scored", customerId: "customer_id" })
const rows = (count: number, bad: (i: number) => boolean = () => false) =>
  Array.from({ length: count }, (_, i) => ({ customer_id: bad(i + 1) ? "" : `c${i + 1}`, row: i + 1 }))

const harness = (h: {
  rows: ReadonlyArray<Record<string, unknown>>
  options?: PipelineOptionsInput
  answer?: (request: RecordedRequest, index: number) => Answer
  source?: MemorySourceOptions
  checkpoint?: Checkpoint
  resume?: "auto" | "restart"
  stop?: Sync.StopRequests
}) => {
  const transport = recordingTransport(h.answer)
  const store = memoryCheckpointStore(h.checkpoint)
  const rejects: Array<RejectedRow> = []
  const run = Sync.run({
    spec,
    options: PipelineOptions.parse(h.options ?? {}),
    ...(h.resume === undefined ? {} : { resume: h.resume }),
    ...(h.stop === undefined ? {} : { stop: h.stop })
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        memorySource(h.rows, h.source),
        transport.layer,
        Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
      )
    ),
    Effect.provideService(CheckpointStore, store),
    Random.withSeed(3)
  )
  return { run, transport, store, rejects }
}

const runToEnd = (run: Effect.Effect<DeliveryReport>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 10_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    return yield* Fiber.join(fiber)
  })

const fingerprint = (n: number) => `memory:${n}`

describe("Sync.run checkpoints", () => {
  it.effect("never saves a watermark past a row that was not acknowledged, with acks out of order", () =>
    Effect.gen(function* () {
      const acked = new Set<number>()
      const transport = recordingTransport((request, index) =>
        // Every third batch is slow, so later batches are acknowledged before it.
        Effect.gen(function* () {
          if (index % 3 === 0) yield* Effect.sleep(2_500)
          for (const row of request.rowNumbers) acked.add(row)
          return { status: 200, bodyBytes: 0 }
        })
      )
      const violations: Array<string> = []
      const base = memoryCheckpointStore()
      const store = {
        ...base,
        save: (checkpoint: Checkpoint) =>
          Effect.suspend(() => {
            for (let row = 1; row <= checkpoint.watermark; row++) {
              if (!acked.has(row)) violations.push(`watermark ${checkpoint.watermark} claims unacknowledged row ${row}`)
            }
            return base.save(checkpoint)
          })
      }
      const run = Sync.run({ spec, options: PipelineOptions.parse({ batchCount: 10, maxInFlight: 4, checkpointIntervalMillis: 100 }) }).pipe(
        Effect.provide(Layer.mergeAll(memorySource(rows(400), { chunkSize: 7 }), transport.layer, RejectSink.discard)),
        Effect.provideService(CheckpointStore, store),
        Random.withSeed(1)
      )
      const report = yield* runToEnd(run)
      assert.deepStrictEqual(violations.slice(0, 3), [])
      assert.isAbove(base.saved.length, 3)
      assert.deepStrictEqual(base.saved.at(-1), { ...base.saved.at(-1)!, watermark: 400, complete: true })
      assert.strictEqual(report.checkpoint?.complete, true)
    })
  )

  it.effect("resumes after the watermark of an interrupted run (a version-1 checkpoint): sends only the rest", () =>
    Effect.gen(function* () {
      const { run, transport, store } = harness({
        rows: rows(300),
        checkpoint: { version: 1, sync: "track:Scored", fingerprint: fingerprint(300), watermark: 150, complete: false, updatedAt: "t" }
      })
      const report = yield* runToEnd(run)
      const sent = transport.requests.flatMap((r) => r.rowNumbers)
      assert.deepStrictEqual(
        sent,
        Array.from({ length: 150 }, (_, i) => 151 + i)
      )
      assert.deepStrictEqual(report.rows, { read: 300, mapped: 150, rejected: 0, skipped: 150 })
      assert.strictEqual(report.resumedFrom, 150)
      assert.strictEqual(report.outcome, "completed")
      assert.deepInclude(store.saved.at(-1)!, { version: 2, watermark: 300, complete: true, undelivered: [] })
    })
  )

  it.effect("refuses to resume when the source changed, and sends nothing", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(300),
        checkpoint: { version: 1, sync: "track:Scored", fingerprint: "memory:999", watermark: 150, complete: false, updatedAt: "t" }
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.fatal?.kind, "source-changed")
      assert.match(report.fatal!.message, /--restart/)
      assert.strictEqual(transport.requests.length, 0)
    })
  )

  it.effect("starts from the first row with restart, and after a completed run", () =>
    Effect.gen(function* () {
      const interrupted = {
        version: 1 as const,
        sync: "track:Scored",
        fingerprint: fingerprint(50),
        watermark: 20,
        complete: false,
        updatedAt: "t"
      }
      const restarted = harness({ rows: rows(50), checkpoint: interrupted, resume: "restart" })
      assert.strictEqual((yield* runToEnd(restarted.run)).messages.accepted, 50)
      const afterComplete = harness({ rows: rows(50), checkpoint: { ...interrupted, complete: true } })
      assert.strictEqual((yield* runToEnd(afterComplete.run)).messages.accepted, 50)
    })
  )

  it.effect("passes a batch that could not be delivered, listing its rows in the checkpoint", () =>
    Effect.gen(function* () {
      const { run, store, rejects } = harness({
        rows: rows(300),
        options: { maxAttempts: 2, batchCount: 100 },
        answer: (request) => (request.rowNumbers[0] === 101 ? httpError(503) : "ok")
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.fatal?.kind, "unreachable")
      assert.deepStrictEqual(rejects, [])
      assert.deepInclude(store.saved.at(-1)!, { version: 2, watermark: 300, undelivered: [[101, 200]], complete: false })
      assert.deepStrictEqual(report.checkpoint, { location: "memory", watermark: 300, complete: false, undelivered: [[101, 200]] })
    })
  )
})

describe("Sync.run stops", () => {
  it.effect("on a drain request: stops reading, flushes what it holds, and checkpoints it", () =>
    Effect.gen(function* () {
      const drain = yield* Deferred.make<void>()
      const { run, transport, store } = harness({
        rows: rows(250),
        source: { tail: Stream.never },
        stop: { drain: Deferred.await(drain), now: Effect.never }
      })
      const fiber = yield* Effect.forkChild(run)
      yield* TestClock.adjust(100)
      yield* Deferred.succeed(drain, undefined)
      const report = yield* runToEnd(Fiber.join(fiber))
      assert.strictEqual(report.fatal?.kind, "interrupted")
      assert.strictEqual(report.messages.accepted, 250)
      assert.strictEqual(report.messages.undelivered, 0)
      assert.strictEqual(transport.requests.flatMap((r) => r.rowNumbers).length, 250)
      assert.deepInclude(store.saved.at(-1)!, { watermark: 250, complete: false })
    })
  )

  it.effect("at once on a second request: what is in flight is reported undelivered, the checkpoint holds", () =>
    Effect.gen(function* () {
      const now = yield* Deferred.make<void>()
      const hang = yield* Deferred.make<void>()
      const { run, store, rejects } = harness({
        rows: rows(250),
        answer: (_, index) => (index === 0 ? "ok" : Deferred.await(hang).pipe(Effect.as({ status: 200, bodyBytes: 0 }))),
        options: { maxInFlight: 1, batchCount: 100 },
        stop: { drain: Effect.never, now: Deferred.await(now) }
      })
      const fiber = yield* Effect.forkChild(run)
      yield* TestClock.adjust(2_000)
      yield* Deferred.succeed(now, undefined)
      const report = yield* runToEnd(Fiber.join(fiber))
      assert.strictEqual(report.outcome, "aborted")
      assert.strictEqual(report.messages.accepted, 100)
      assert.strictEqual(report.messages.undelivered, 150)
      // Not a reject per row: the report and the checkpoint list the rows, and the next run sends them.
      assert.strictEqual(rejects.length, 0)
      assert.deepStrictEqual(report.undeliveredRows, [[101, 250]])
      assert.deepInclude(store.saved.at(-1)!, { watermark: 250, undelivered: [[101, 250]], complete: false })
    })
  )
})

describe("Sync.run reject limits", () => {
  it.effect("a graceful stop before the probe has its rows judges what was read and flushes it", () =>
    Effect.gen(function* () {
      const drain = yield* Deferred.make<void>()
      const { run, transport, store } = harness({
        rows: rows(300),
        source: { tail: Stream.never },
        options: { maxRejectedShare: 0.05, drainTimeoutMillis: 30_000 },
        stop: { drain: Deferred.await(drain), now: Effect.never }
      })
      const fiber = yield* Effect.forkChild(run)
      yield* TestClock.adjust(300)
      assert.strictEqual(transport.requests.length, 0)
      yield* Deferred.succeed(drain, undefined)
      yield* TestClock.adjust(1_000)
      const report = yield* Fiber.join(fiber)
      assert.strictEqual(report.fatal?.kind, "interrupted")
      assert.strictEqual(report.messages.accepted, 300)
      assert.deepInclude(store.saved.at(-1)!, { watermark: 300 })
    })
  )

  it.effect("stops before sending anything when the first rows break the limit", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(5_000, (i) => i % 10 === 0), options: { maxRejectedShare: 0.05 } })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.fatal?.kind, "max-rejects")
      assert.match(report.fatal!.message, /100 of 1000 rows rejected \(10%\), over the limit of 5%: stopped before sending anything/)
      assert.strictEqual(transport.requests.length, 0)
    })
  )

  it.effect("judges the first 1,000 rows even when the queue is set smaller: it grows to hold them", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(5_000, (i) => i % 10 === 0),
        options: { maxRejectedShare: 0.05, queueCapacity: 50 }
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.fatal?.kind, "max-rejects")
      assert.match(report.fatal!.message, /100 of 1000 rows rejected/)
      assert.strictEqual(transport.requests.length, 0)
    })
  )

  it.effect("stops on a count as soon as it is passed", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(5_000, (i) => i === 7 || i === 9), options: { maxRejectedRows: 1 } })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.fatal?.kind, "max-rejects")
      assert.strictEqual(transport.requests.length, 0)
    })
  )

  it.effect("runs to the end under the limit", () =>
    Effect.gen(function* () {
      const { run } = harness({ rows: rows(5_000, (i) => i % 100 === 0), options: { maxRejectedShare: 0.05 } })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "completed")
      assert.strictEqual(report.messages.accepted, 4_950)
      assert.strictEqual(report.rows.rejected, 50)
    })
  )
})

import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import { type Checkpoint, CheckpointStore, memoryCheckpointStore } from "../resume/Checkpoint.ts"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { Defaults } from "../spec/Limits.ts"
import { PipelineOptions, type PipelineOptionsInput } from "../spec/PipelineOptions.ts"
import { type RejectedRow, RejectSink } from "../report/RejectSink.ts"
import * as Sync from "./Sync.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { type Answer, type RecordedRequest, recordingTransport } from "../testing/RecordingTransport.ts"
import { TransportError } from "../send/Transport.ts"

// An endpoint that is down: for a few minutes (ridden out by the default retry budget), or for
// longer than the budget (the run stops as "unreachable", and the checkpoint lists what was not
// delivered, so the next run sends only that and the rest). All on the TestClock.

const spec = SyncSpec.parse({ event: "Scored", customerId: "customer_id" })
const rows = (count: number) => Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, row: i + 1 }))
const refused = () => new TransportError({ kind: "network", retryable: true, message: "connect ECONNREFUSED 127.0.0.1:443" })
const fingerprint = (n: number) => `memory:${n}`

const harness = (h: {
  rows: number
  options?: PipelineOptionsInput
  answer?: (request: RecordedRequest, index: number) => Answer
  checkpoint?: Checkpoint
}) => {
  const transport = recordingTransport(h.answer)
  const store = memoryCheckpointStore(h.checkpoint)
  const rejects: Array<RejectedRow> = []
  const run = Sync.run({ spec, options: PipelineOptions.parse(h.options ?? {}) }).pipe(
    Effect.provide(
      Layer.mergeAll(
        memorySource(rows(h.rows)),
        transport.layer,
        Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
      )
    ),
    Effect.provideService(CheckpointStore, store),
    Random.withSeed(7)
  )
  return { run, transport, store, rejects }
}

/** Runs to the end, moving the test clock a second at a time (up to an hour). */
const runToEnd = (run: Effect.Effect<DeliveryReport>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 3_600 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(1_000)
    return yield* Fiber.join(fiber)
  })

const sentRows = (requests: ReadonlyArray<RecordedRequest>) =>
  [...new Set(requests.flatMap((request) => request.rowNumbers))].sort((a, b) => a - b)
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe("Sync.run against an endpoint that is down", () => {
  it.effect("refusing connections for the first 5 minutes: the default retry budget rides it out, every row delivered", () =>
    Effect.gen(function* () {
      const upAt = 5 * 60_000
      const { run, transport, store, rejects } = harness({
        rows: 2_000,
        answer: () =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => (now < upAt ? Effect.fail(refused()) : Effect.succeed({ status: 200, bodyBytes: 0 })))
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.fatal, undefined)
      assert.strictEqual(report.outcome, "completed")
      assert.strictEqual(report.messages.accepted, 2_000)
      assert.strictEqual(report.messages.undelivered, 0)
      assert.deepStrictEqual(rejects, [])
      // The first batch tried far more than the 10 attempts that used to end it after about 71 s,
      // and the backoff's 30 s cap noticed the recovery within 30 s.
      const first = transport.requests.filter((request) => request.rowNumbers[0] === 1)
      assert.isAbove(first.length, 10)
      const delivered = first.at(-1)!.at
      assert.isAtLeast(delivered, upAt)
      assert.isAtMost(delivered, upAt + Defaults.backoffCapMillis)
      assert.deepInclude(store.saved.at(-1)!, { watermark: 2_000, complete: true })
    })
  )

  it.effect(
    "down for longer than the budget for the first batches: the run stops as unreachable, the checkpoint lists them, and the re-run sends only them",
    () =>
      Effect.gen(function* () {
        // Batches with rows 1–200 never get through (the first two), every other batch does.
        const early = (request: RecordedRequest) => request.rowNumbers[0]! <= 200
        const first = harness({ rows: 2_000, options: { batchCount: 100 }, answer: (request) => (early(request) ? refused() : "ok") })
        const report = yield* runToEnd(first.run)
        assert.strictEqual(report.outcome, "aborted")
        assert.strictEqual(report.fatal?.kind, "unreachable")
        assert.match(
          report.fatal!.message,
          /did not accept a batch within the retry budget \(\d+ attempts over \d+ s, the budget is 600 s; last: network error/
        )
        assert.strictEqual(report.messages.accepted, 1_800)
        assert.strictEqual(report.messages.undelivered, 200)
        assert.deepStrictEqual(report.undeliveredRows, [[1, 200]])
        // One fatal error, not a reject per undelivered row.
        assert.deepStrictEqual(first.rejects, [])
        // Nothing after the budget: every batch gave up on the first batch's failure, none burnt its own.
        const lastTry = Math.max(...first.transport.requests.map((request) => request.at))
        assert.isAtMost(lastTry, Defaults.maxRetryMillis)
        const saved = first.store.saved.at(-1)!
        assert.deepInclude(saved, { version: 2, watermark: 2_000, undelivered: [[1, 200]], complete: false, messageIdScheme: 2 })

        // The endpoint is back: the same sync resumes and sends the two batches it did not deliver.
        const second = harness({ rows: 2_000, options: { batchCount: 100 }, checkpoint: { ...saved, fingerprint: fingerprint(2_000) } })
        const rerun = yield* runToEnd(second.run)
        assert.strictEqual(rerun.outcome, "completed")
        assert.deepStrictEqual(sentRows(second.transport.requests), range(1, 200))
        assert.deepStrictEqual(rerun.rows, { read: 2_000, mapped: 200, rejected: 0, skipped: 1_800 })
        assert.deepInclude(second.store.saved.at(-1)!, { watermark: 2_000, complete: true, undelivered: [] })
      })
  )

  it.effect("a resumed run that stops again keeps the rows it had to send again, and adds the ones it could not", () =>
    Effect.gen(function* () {
      const checkpoint: Checkpoint = {
        version: 2,
        sync: "track:Scored",
        fingerprint: fingerprint(3_000),
        watermark: 2_000,
        undelivered: [
          [1, 200],
          [901, 950]
        ],
        messageIdScheme: 2,
        complete: false,
        updatedAt: "t"
      }
      // Still down for rows 1–100; rows 101–200 and 901–950 and the new rows get through.
      const { run, transport, store } = harness({
        rows: 3_000,
        options: { maxAttempts: 3, batchCount: 100 },
        checkpoint,
        answer: (request) => (request.rowNumbers[0]! <= 100 ? refused() : "ok")
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.fatal?.kind, "unreachable")
      assert.strictEqual(report.rows.skipped, 2_000 - 250)
      const sent = sentRows(transport.requests)
      assert.deepStrictEqual(
        sent.filter((row) => row <= 2_000),
        [...range(1, 200), ...range(901, 950)]
      )
      const saved = store.saved.at(-1)!
      assert.strictEqual(saved.complete, false)
      // Rows 1–100 are listed again; whatever else it stops with is listed too, never lost.
      assert.deepStrictEqual(saved.undelivered?.[0], [1, 100])
      assert.isAtLeast(saved.watermark, 2_000)
      const listed = (row: number) => saved.undelivered!.some(([from, to]) => from <= row && row <= to)
      const acknowledged = new Set(transport.requests.filter((request) => request.rowNumbers[0]! > 100).flatMap((request) => request.rowNumbers))
      for (const row of [...range(1, 200), ...range(901, 950), ...range(2_001, saved.watermark)]) {
        assert.isTrue(acknowledged.has(row) || listed(row), `row ${row} is neither acknowledged nor listed`)
      }
    })
  )
})

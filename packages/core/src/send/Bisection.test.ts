import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import type { Batch } from "../batch/Batcher.ts"
import type { BuiltMessage } from "../map/MessageMapper.ts"
import { imbalanceOf } from "../report/Books.ts"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { type RejectedRow, RejectSink } from "../report/RejectSink.ts"
import { type Checkpoint, CheckpointStore, memoryCheckpointStore } from "../resume/Checkpoint.ts"
import * as Sync from "../run/Sync.ts"
import { PipelineOptions, type PipelineOptionsInput } from "../spec/PipelineOptions.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { type Answer, httpError, type RecordedRequest, recordingTransport } from "../testing/RecordingTransport.ts"
import { bisectionBudget, halvesOf, REFUSED_MESSAGES_FOUND_EXACTLY, refusalSplits } from "./Bisection.ts"
import { fixedSendingPolicy, SendingPolicy, type SendingPolicyShape } from "./SendingPolicy.ts"
import { TransportError } from "./Transport.ts"

const spec = SyncSpec.parse({ event: "Scored", customerId: "customer_id" })
const rows = (count: number) => Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, row: i + 1 }))
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

/** The endpoint refuses (400, with its reason) any request that holds one of `bad`. */
const refusing =
  (bad: ReadonlyArray<number>, otherwise: (request: RecordedRequest, index: number) => Answer = () => "ok") =>
  (request: RecordedRequest, index: number): Answer =>
    request.rowNumbers.some((row) => bad.includes(row))
      ? new TransportError({ kind: "rejected", retryable: false, status: 400, message: "batch[0]: properties.score is not allowed" })
      : otherwise(request, index)

const harness = (h: {
  rows: number
  answer: (request: RecordedRequest, index: number) => Answer
  options?: PipelineOptionsInput
  checkpoint?: Checkpoint
  attempts?: { count: number }
}) => {
  const transport = recordingTransport(h.answer)
  const store = memoryCheckpointStore(h.checkpoint)
  const rejects: Array<RejectedRow> = []
  const counting = (options: PipelineOptions) =>
    Effect.map(
      fixedSendingPolicy(options),
      (fixed): SendingPolicyShape => ({
        ...fixed,
        beforeAttempt: fixed.beforeAttempt.pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              if (h.attempts !== undefined) h.attempts.count++
            })
          )
        )
      })
    )
  const run = Sync.run({ spec, options: PipelineOptions.parse({ batchCount: 1_000, maxInFlight: 1, ...h.options }) }).pipe(
    Effect.provide(
      Layer.mergeAll(
        memorySource(rows(h.rows)),
        transport.layer,
        Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
      )
    ),
    Effect.provideService(CheckpointStore, store),
    Effect.provideService(SendingPolicy, { make: counting }),
    Random.withSeed(7)
  )
  return { run, transport, store, rejects }
}

const runToEnd = (run: Effect.Effect<DeliveryReport>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 10_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    return yield* Fiber.join(fiber)
  })

/** Resumes from `checkpoint` against an endpoint that takes everything: the rows sent again, sorted. */
const rowsResentFrom = (checkpoint: Checkpoint) =>
  Effect.gen(function* () {
    const resumed = harness({ rows: 3_000, answer: () => "ok", checkpoint })
    const resumedReport = yield* runToEnd(resumed.run)
    assert.strictEqual(resumedReport.outcome, "completed")
    return resumed.transport.requests.flatMap((request) => request.rowNumbers).sort((a, b) => a - b)
  })

const balanced = (report: DeliveryReport) =>
  imbalanceOf({ rows: report.rows, messages: report.messages, ...(report.batches.planned === 0 ? {} : { planned: 0 }) })

/** Rows the endpoint took (each 2xx request's rows), sorted. */
const acceptedRows = (requests: ReadonlyArray<RecordedRequest>, accepted: ReadonlyArray<string>) => {
  const ids = new Set(accepted)
  return [...new Set(requests.flatMap((request) => request.rowNumbers.filter((_, i) => ids.has(request.messageIds[i]!))))].sort((a, b) => a - b)
}

describe("halvesOf and the budget", () => {
  const batchOf = (rows: ReadonlyArray<number>): Batch => {
    const messages = rows.map((rowNumber): BuiltMessage => ({ rowNumber, type: "track", messageId: `m${rowNumber}`, json: "{}", bytes: 2 }))
    return { messages, messageBytes: rows.length * 3 - 1, firstRow: rows[0]!, lastRow: rows[rows.length - 1]! }
  }

  it("splits in order, the first half the larger by at most one, each measured as the batcher does", () => {
    const [first, second] = halvesOf(batchOf([3, 4, 5, 6, 7]))
    assert.deepStrictEqual(
      first.messages.map((m) => m.rowNumber),
      [3, 4, 5]
    )
    assert.deepStrictEqual([first.firstRow, first.lastRow, first.messageBytes], [3, 5, 8])
    assert.deepStrictEqual([second.firstRow, second.lastRow, second.messageBytes], [6, 7, 5])
  })

  it("splits on 400, 413 and 422, not on a refusal about the endpoint (404, 501)", () => {
    assert.deepStrictEqual(
      [400, 413, 422, 404, 501].map((status) => refusalSplits(httpError(status))),
      [true, true, true, false, false]
    )
  })

  it("lets a batch spend enough to find 8 refused messages exactly, and nothing for a single message", () => {
    assert.strictEqual(bisectionBudget(1), 0)
    assert.strictEqual(bisectionBudget(1_000), 2 * REFUSED_MESSAGES_FOUND_EXACTLY * 10)
    assert.strictEqual(bisectionBudget(2_500), 2 * REFUSED_MESSAGES_FOUND_EXACTLY * 12)
  })
})

describe("a refused batch is split to find the messages refused", () => {
  it.effect("one bad message in 1,000: that row alone refused with the endpoint's reason, 999 delivered, 21 requests", () =>
    Effect.gen(function* () {
      const attempts = { count: 0 }
      const h = harness({ rows: 1_000, answer: refusing([517]), attempts })
      const report = yield* runToEnd(h.run)
      assert.deepStrictEqual(report.messages, { built: 1_000, sent: 1_000, accepted: 999, refused: 1, undelivered: 0 })
      assert.strictEqual(report.outcome, "incomplete")
      assert.deepStrictEqual(
        h.rejects.map((reject) => [reject.row, reject.stage, reject.status]),
        [[517, "batch-refused", 400]]
      )
      assert.strictEqual(
        h.rejects[0]!.reason,
        "the endpoint refused the message, sent alone after its batch was refused (HTTP 400: batch[0]: properties.score is not allowed)"
      )
      assert.deepStrictEqual(
        acceptedRows(h.transport.requests, h.transport.accepted),
        range(1, 1_000).filter((row) => row !== 517)
      )
      // 1 + 2·⌈log2 1000⌉: each of the 10 halvings sends two halves.
      assert.strictEqual(h.transport.requests.length, 21)
      assert.strictEqual(report.batches.requests, 21)
      assert.strictEqual(report.batches.requestsForBisection, 20)
      assert.strictEqual(report.batches.retries, 0)
      // Every request went through the sending policy (a rate limit counts them).
      assert.strictEqual(attempts.count, 21)
      assert.strictEqual(balanced(report), undefined)
      assert.strictEqual(report.checkpoint?.watermark, 1_000)
      assert.strictEqual(report.checkpoint?.complete, true)
    })
  )

  it.effect("two bad messages in different halves: both found, the rest delivered", () =>
    Effect.gen(function* () {
      const h = harness({ rows: 1_000, answer: refusing([12, 901]) })
      const report = yield* runToEnd(h.run)
      assert.deepStrictEqual(
        h.rejects.map((reject) => reject.row),
        [12, 901]
      )
      assert.deepStrictEqual(report.messages, { built: 1_000, sent: 1_000, accepted: 998, refused: 2, undelivered: 0 })
      assert.isAtMost(report.batches.requests, 1 + 2 * 2 * 10)
      assert.strictEqual(new Set(h.transport.accepted).size, 998)
      assert.strictEqual(balanced(report), undefined)
    })
  )

  it.effect("every message bad: in a small batch each is refused alone; in a large one the search stops at its budget", () =>
    Effect.gen(function* () {
      const small = harness({ rows: 8, answer: refusing(range(1, 8)) })
      const smallReport = yield* runToEnd(small.run)
      assert.deepStrictEqual(smallReport.messages, { built: 8, sent: 8, accepted: 0, refused: 8, undelivered: 0 })
      // 1 + 2 + 4 + 8: every part is refused down to single messages.
      assert.strictEqual(smallReport.batches.requests, 15)
      assert.isTrue(small.rejects.every((reject) => reject.reason.startsWith("the endpoint refused the message, sent alone")))

      const large = harness({ rows: 1_000, answer: refusing(range(1, 1_000)) })
      const report = yield* runToEnd(large.run)
      assert.deepStrictEqual(report.messages, { built: 1_000, sent: 1_000, accepted: 0, refused: 1_000, undelivered: 0 })
      assert.deepStrictEqual(
        large.rejects.map((reject) => reject.row).sort((a, b) => a - b),
        range(1, 1_000)
      )
      assert.strictEqual(report.batches.requests, 1 + bisectionBudget(1_000))
      assert.isTrue(large.rejects.some((reject) => reject.reason.includes("stopped at its budget of 160 requests")))
      assert.strictEqual(balanced(report), undefined)
    })
  )

  it.effect("a half answered 500 is retried after a backoff, then delivered", () =>
    Effect.gen(function* () {
      let failedOnce = false
      const h = harness({
        rows: 1_000,
        answer: refusing([517], (request) => {
          // The first half of the refused batch, the first time it is sent.
          if (!failedOnce && request.rowNumbers.length === 500) {
            failedOnce = true
            return httpError(500)
          }
          return "ok"
        })
      })
      const report = yield* runToEnd(h.run)
      assert.deepStrictEqual(report.messages, { built: 1_000, sent: 1_000, accepted: 999, refused: 1, undelivered: 0 })
      assert.strictEqual(report.batches.retries, 1)
      assert.strictEqual(report.batches.requests, 22)
      assert.strictEqual(report.batches.requestsForBisection, 21)
      assert.deepStrictEqual(
        h.transport.requests.filter((request) => request.rowNumbers[0] === 1).map((request) => [request.rowNumbers.length, request.attempt]),
        [
          [1_000, 1],
          [500, 1],
          [500, 2]
        ]
      )
    })
  )

  it.effect(
    "a refused write key while splitting stops the run: the parts not delivered are listed, the books balance, a resume sends only them and the rest",
    () =>
      Effect.gen(function* () {
        // Batch 1 (rows 1–1,000) is refused for row 517; its first half goes through; the key is
        // refused when the quarter 501–750 is sent.
        const stopped = harness({
          rows: 3_000,
          answer: (request, index) =>
            request.rowNumbers.includes(517) && request.rowNumbers.length <= 250 ? httpError(401) : refusing([517])(request, index)
        })
        const report = yield* runToEnd(stopped.run)
        assert.strictEqual(report.fatal?.kind, "auth")
        assert.strictEqual(report.outcome, "aborted")
        assert.deepStrictEqual(
          stopped.transport.requests.map((request) => [request.rowNumbers[0], request.rowNumbers.length]),
          [
            [1, 1_000],
            [1, 500],
            [501, 500],
            [501, 250]
          ]
        )
        assert.strictEqual(report.messages.accepted, 500)
        assert.strictEqual(report.messages.refused, 0)
        assert.strictEqual(report.messages.accepted + report.messages.undelivered, report.messages.built)
        assert.strictEqual(balanced(report), undefined)
        const checkpoint = stopped.store.saved.at(-1)!
        assert.strictEqual(checkpoint.complete, false)
        // The first half was delivered: it is neither listed nor held back by the watermark.
        assert.isTrue((checkpoint.undelivered ?? []).every(([from]) => from > 500))
        assert.isAtLeast(checkpoint.watermark, 500)

        assert.deepStrictEqual(yield* rowsResentFrom(checkpoint), range(501, 3_000))
      })
  )

  it.effect("a resume after a run with a refused message sends neither the rows delivered nor the row refused", () =>
    Effect.gen(function* () {
      // Row 517 is refused; the key is refused on the third batch, so the run stops with a checkpoint.
      const first = harness({
        rows: 3_000,
        answer: (request, index) => (request.rowNumbers.includes(2_001) ? httpError(401) : refusing([517])(request, index))
      })
      const report = yield* runToEnd(first.run)
      assert.strictEqual(report.fatal?.kind, "auth")
      assert.strictEqual(report.messages.refused, 1)
      assert.strictEqual(report.messages.accepted, 1_999)
      assert.strictEqual(balanced(report), undefined)
      const checkpoint = first.store.saved.at(-1)!
      assert.isAtLeast(checkpoint.watermark, 2_000)

      assert.deepStrictEqual(yield* rowsResentFrom(checkpoint), range(2_001, 3_000))
    })
  )

  it.effect("a dry run plans the batches and sends nothing", () =>
    Effect.gen(function* () {
      const h = harness({ rows: 1_000, answer: refusing([517]), options: { dryRun: true } })
      const report = yield* runToEnd(h.run)
      assert.strictEqual(h.transport.requests.length, 0)
      assert.strictEqual(report.batches.planned, 1)
      assert.strictEqual(report.batches.requestsForBisection, undefined)
    })
  )
})

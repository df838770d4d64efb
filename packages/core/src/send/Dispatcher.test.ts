import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import { AckWatermark } from "../resume/AckWatermark.ts"
import type { Batch } from "../batch/Batcher.ts"
import { DeliveryTally } from "../report/DeliveryTally.ts"
import type { BuiltMessage } from "../map/MessageMapper.ts"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import type { Fatal } from "../report/Fatal.ts"
import { Settlement } from "../report/Settlement.ts"
import type { RejectedRow } from "../report/RejectSink.ts"
import { RejectSink } from "../report/RejectSink.ts"
import * as Sync from "../run/Sync.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { type Answer, httpError, type RecordedRequest, recordingTransport } from "../testing/RecordingTransport.ts"
import { Transport } from "./Transport.ts"
import { Dispatcher } from "./Dispatcher.ts"
import { fixedSendingPolicy, SendingPolicy, type SendingPolicyShape } from "./SendingPolicy.ts"

const batchOf = (rows: ReadonlyArray<number>): Batch => {
  const messages = rows.map((rowNumber): BuiltMessage => {
    const json = JSON.stringify({ type: "track", messageId: `m${rowNumber}`, properties: { row: rowNumber } })
    return { rowNumber, type: "track", messageId: `m${rowNumber}`, json, bytes: json.length }
  })
  return {
    messages,
    messageBytes: messages.reduce((sum, m) => sum + m.bytes, 0) + messages.length - 1,
    firstRow: rows[0]!,
    lastRow: rows[rows.length - 1]!
  }
}

const harness = (answer: (request: RecordedRequest, index: number) => Answer, options: { dryRun?: boolean } = {}) =>
  Effect.gen(function* () {
    const recording = recordingTransport(answer)
    const transport = yield* Effect.provide(
      Effect.gen(function* () {
        return yield* Transport
      }),
      recording.layer
    )
    const tally = new DeliveryTally(0)
    const acks = new AckWatermark()
    const rejects: Array<RejectedRow> = []
    const stops: Array<Fatal> = []
    const stop = (fatal: Fatal) => Effect.sync(() => void stops.push(fatal))
    const writeRejects = (written: ReadonlyArray<RejectedRow>) => Effect.sync(() => void rejects.push(...written))
    const settlement = new Settlement({ tally, acks, writeRejects, stop })
    let afterBatch = 0
    const policy = yield* fixedSendingPolicy({ maxInFlight: 2, maxRetryMillis: 60_000, backoffBaseMillis: 500, backoffCapMillis: 30_000 })
    const dispatcher = new Dispatcher({
      transport,
      policy,
      tally,
      settlement,
      opened: Effect.void,
      dryRun: options.dryRun ?? false,
      maxRetryMillis: 60_000,
      stop,
      afterBatch: Effect.sync(() => void afterBatch++)
    })
    const send = (batch: Batch) => {
      acks.register(batch)
      settlement.queued(batch.messages)
      dispatcher.enqueue(batch)
      return dispatcher.dispatchWaiting.pipe(Effect.andThen(dispatcher.idle))
    }
    return { recording, tally, rejects, stops, send, afterBatch: () => afterBatch }
  })

describe("Dispatcher", () => {
  it.effect("retries a 500 after a backoff on the clock, then settles the batch accepted", () =>
    Effect.gen(function* () {
      const h = yield* harness((_, index) => (index === 0 ? httpError(500) : "ok"))
      const fiber = yield* Effect.forkChild(h.send(batchOf([1, 2, 3])))
      yield* TestClock.adjust(100)
      assert.strictEqual(h.recording.requests.length, 1)
      yield* TestClock.adjust(1_000)
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        h.recording.requests.map((request) => request.attempt),
        [1, 2]
      )
      const report = h.tally.report({ sync: "s", source: "m", endpoint: "e", dryRun: false }, 0)
      assert.deepStrictEqual(report.messages, { built: 0, sent: 3, accepted: 3, refused: 0, undelivered: 0 })
      assert.strictEqual(report.batches.retries, 1)
      assert.strictEqual(h.tally.batchesInFlight, 0)
      assert.strictEqual(h.afterBatch(), 1)
    }).pipe(Random.withSeed(3))
  )

  it.effect("settles a batch the endpoint refuses as refused, each row a reject with the status", () =>
    Effect.gen(function* () {
      const h = yield* harness(() => httpError(400))
      yield* h.send(batchOf([4, 5]))
      assert.deepStrictEqual(
        h.rejects.map((reject) => [reject.row, reject.stage, reject.status]),
        [
          [4, "batch-refused", 400],
          [5, "batch-refused", 400]
        ]
      )
      assert.strictEqual(h.tally.messagesRefused, 2)
      assert.deepStrictEqual(h.stops, [])
    })
  )

  it.effect("stops the run on a refused write key, leaving the batch in flight for the stop to settle", () =>
    Effect.gen(function* () {
      const h = yield* harness(() => httpError(401))
      yield* h.send(batchOf([1]))
      assert.deepStrictEqual(
        h.stops.map((fatal) => [fatal._tag, fatal.message]),
        [["WriteKeyRefused", "the endpoint refused the write key (HTTP 401); check the key and the region or endpoint"]]
      )
      assert.strictEqual(h.tally.messagesAccepted + h.tally.messagesRefused + h.tally.messagesUndelivered, 0)
    })
  )

  it.effect("plans batches in a dry run, sending nothing", () =>
    Effect.gen(function* () {
      const h = yield* harness(() => "ok", { dryRun: true })
      yield* h.send(batchOf([1, 2]))
      assert.strictEqual(h.recording.requests.length, 0)
      assert.strictEqual(h.tally.messagesPlanned, 2)
    })
  )

  it.effect("sends under whatever SendingPolicy the run is given", () =>
    Effect.gen(function* () {
      // A policy that never retries: a 500 settles its batch as refused instead of being retried.
      const admitted: Array<number> = []
      const noRetries = (options: PipelineOptions) =>
        Effect.map(
          fixedSendingPolicy({ ...options, maxInFlight: 1 }),
          (fixed): SendingPolicyShape => ({
            ...fixed,
            admit: fixed.admit.pipe(Effect.tap(() => Effect.sync(() => void admitted.push(admitted.length + 1)))),
            failed: () => Effect.succeed({ _tag: "Stop", reason: "refused" })
          })
        )
      const transport = recordingTransport((_, index) => (index === 1 ? httpError(500) : "ok"))
      const rows = Array.from({ length: 30 }, (_, i) => ({ customer_id: `c${i + 1}`, row: i + 1 }))
      const report = yield* Sync.run({
        spec: SyncSpec.parse({ event: "Scored", customerId: "customer_id" }),
        options: PipelineOptions.parse({ batchCount: 10 })
      }).pipe(
        Effect.provide(Layer.mergeAll(memorySource(rows), transport.layer, Layer.succeed(RejectSink, { write: () => Effect.void }))),
        Effect.provideService(SendingPolicy, { make: noRetries })
      )
      assert.deepStrictEqual(admitted, [1, 2, 3])
      assert.strictEqual(transport.requests.length, 3)
      assert.deepStrictEqual(report.messages, { built: 30, sent: 30, accepted: 20, refused: 10, undelivered: 0 })
      assert.strictEqual(report.outcome, "incomplete")
    })
  )

  it.effect("settles an answer it read as accepted before the sending policy hears of it, so a stop cannot undo it", () =>
    Effect.gen(function* () {
      const transport = yield* Effect.provide(
        Effect.gen(function* () {
          return yield* Transport
        }),
        recordingTransport(() => "ok").layer
      )
      const tally = new DeliveryTally(0)
      const acks = new AckWatermark()
      const stop = () => Effect.void
      const settlement = new Settlement({ tally, acks, writeRejects: () => Effect.void, stop })
      const fixed = yield* fixedSendingPolicy({ maxInFlight: 1, maxRetryMillis: 60_000, backoffBaseMillis: 500, backoffCapMillis: 30_000 })
      // A policy that takes its time over a latency (an adaptive one recomputing its limit).
      const slowToHear: SendingPolicyShape = { ...fixed, accepted: () => Effect.never }
      const dispatcher = new Dispatcher({
        transport,
        policy: slowToHear,
        tally,
        settlement,
        opened: Effect.void,
        dryRun: false,
        maxRetryMillis: 60_000,
        stop,
        afterBatch: Effect.void
      })
      const batch = batchOf([1, 2, 3])
      acks.register(batch)
      settlement.queued(batch.messages)
      settlement.dispatched(batch)
      const delivering = yield* Effect.forkChild(dispatcher.deliver(batch))
      yield* TestClock.adjust(10)
      // The run stops at once while the policy is still hearing of the answer.
      yield* Fiber.interrupt(delivering)
      yield* settlement.settleStopped([])
      assert.strictEqual(tally.messagesAccepted, 3)
      assert.strictEqual(tally.messagesUndelivered, 0)
    })
  )
})

import type { SettleFailure } from "./Settlement.ts"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { AckWatermark } from "../resume/AckWatermark.ts"
import type { Batch } from "../batch/Batcher.ts"
import { DeliveryTally } from "./DeliveryTally.ts"
import type { BuiltMessage } from "../map/MessageMapper.ts"
import type { RejectedRow } from "./RejectSink.ts"
import type { Fatal } from "./Fatal.ts"
import { Accepted, Settlement, Undelivered } from "./Settlement.ts"
import { halvesOf } from "../send/Bisection.ts"

const batchOf = (rows: ReadonlyArray<number>): Batch => ({
  messages: rows.map((rowNumber): BuiltMessage => ({ rowNumber, type: "track", messageId: `m${rowNumber}`, json: "{}", bytes: 2 })),
  messageBytes: rows.length * 3 - 1,
  firstRow: rows[0]!,
  lastRow: rows[rows.length - 1]!
})

const harness = (onSettled?: (messages: ReadonlyArray<BuiltMessage>, accepted: boolean) => Effect.Effect<void, SettleFailure>) => {
  const tally = new DeliveryTally(0)
  const acks = new AckWatermark()
  const rejects: Array<RejectedRow> = []
  const stops: Array<Fatal> = []
  const settlement = new Settlement({
    tally,
    acks,
    writeRejects: (written) => Effect.sync(() => void rejects.push(...written)),
    stop: (fatal) => Effect.sync(() => void stops.push(fatal)),
    onSettled
  })
  /** Rows mapped into one message each, queued, batched and handed to a sender. */
  const dispatch = (batch: Batch) => {
    for (const _ of batch.messages) {
      tally.countRead()
      tally.countMapped(1, false)
    }
    settlement.queued(batch.messages)
    acks.register(batch)
    settlement.dispatched(batch)
    return batch
  }
  return { tally, acks, rejects, stops, settlement, dispatch }
}

describe("Settlement", () => {
  it("lets the watermark drop a batch a dry run planned, so a dry run holds no batch it is done with", () => {
    const h = harness()
    for (let first = 1; first <= 300; first += 3) {
      const batch = batchOf([first, first + 1, first + 2])
      h.settlement.queued(batch.messages)
      h.acks.register(batch)
      h.settlement.planned(batch)
    }
    assert.strictEqual(h.acks.heldBatches, 0)
    assert.strictEqual(h.tally.messagesPlanned, 300)
  })

  it.effect("settles a batch once: a second outcome for it changes nothing", () =>
    Effect.gen(function* () {
      const h = harness()
      const batch = h.dispatch(batchOf([1, 2, 3]))
      yield* h.settlement.settle(batch, Accepted)
      yield* h.settlement.settle(batch, Undelivered)
      assert.strictEqual(h.tally.messagesAccepted, 3)
      assert.strictEqual(h.tally.messagesUndelivered, 0)
      assert.strictEqual(h.acks.watermark(3, 0, Number.POSITIVE_INFINITY), 3)
    })
  )

  it.effect("a refused batch: every row a reject with the reason and status; the watermark passes it", () =>
    Effect.gen(function* () {
      const h = harness()
      const batch = h.dispatch(batchOf([1, 2]))
      yield* h.settlement.settle(batch, { _tag: "Refused", reason: "too big", status: 413 })
      assert.deepStrictEqual(h.rejects, [
        { row: 1, stage: "batch-refused", reason: "too big", messageId: "m1", status: 413 },
        { row: 2, stage: "batch-refused", reason: "too big", messageId: "m2", status: 413 }
      ])
      assert.strictEqual(h.tally.messagesRefused, 2)
      assert.deepStrictEqual(h.acks.undelivered(2), [])
    })
  )

  it.effect("tells onSettled of each batch; a state store that fails stops the run", () =>
    Effect.gen(function* () {
      const told: Array<[number, boolean]> = []
      const h = harness((messages, accepted) =>
        accepted
          ? Effect.sync(() => void told.push([messages.length, accepted]))
          : Effect.fail({ _tag: "StateError" as const, message: "disk full" })
      )
      yield* h.settlement.settle(h.dispatch(batchOf([1])), Accepted)
      yield* h.settlement.settle(h.dispatch(batchOf([2])), Undelivered)
      assert.deepStrictEqual(told, [[1, true]])
      assert.deepStrictEqual(
        h.stops.map((fatal) => [fatal._tag, fatal.message]),
        [["StateFailed", "disk full"]]
      )
    })
  )

  it.effect("stopped at once: what is in flight and what never left the queue are undelivered, and listed", () =>
    Effect.gen(function* () {
      const h = harness()
      const sent = h.dispatch(batchOf([1, 2]))
      const waiting = batchOf([3, 4])
      for (const _ of waiting.messages) {
        h.tally.countRead()
        h.tally.countMapped(1, false)
      }
      h.settlement.queued(waiting.messages)
      h.acks.register(waiting)
      yield* h.settlement.settleStopped([waiting])
      assert.strictEqual(h.tally.messagesUndelivered, 4)
      assert.deepStrictEqual(h.acks.allUndelivered(), [[1, 4]])
      // A batch settled before the stop is not settled again.
      yield* h.settlement.settle(sent, Accepted)
      assert.strictEqual(h.tally.messagesAccepted, 0)
      h.tally.balanceBooks()
      assert.isUndefined(h.tally.fatal)
    })
  )

  it.effect("a split batch: each part settled once on its own, the watermark passes the batch once every part is", () =>
    Effect.gen(function* () {
      const h = harness()
      const batch = h.dispatch(batchOf([1, 2, 3, 4]))
      const [left, right] = halvesOf(batch)
      assert.isTrue(h.settlement.split(batch, [left, right]))
      // The batch itself is no longer in flight: it cannot be split again.
      assert.isFalse(h.settlement.split(batch, [left, right]))
      const [three, four] = halvesOf(right)
      assert.isTrue(h.settlement.split(right, [three, four]))
      yield* h.settlement.settle(left, Accepted)
      yield* h.settlement.settle(three, { _tag: "Refused", reason: "bad", status: 400 })
      yield* h.settlement.settle(three, Accepted)
      assert.strictEqual(h.acks.watermark(4, 0, Number.POSITIVE_INFINITY), 0)
      yield* h.settlement.settle(four, Accepted)
      assert.strictEqual(h.acks.watermark(4, 0, Number.POSITIVE_INFINITY), 4)
      assert.deepStrictEqual([h.tally.messagesAccepted, h.tally.messagesRefused], [3, 1])
      assert.deepStrictEqual(
        h.rejects.map((reject) => reject.row),
        [3]
      )
      assert.deepStrictEqual(h.acks.allUndelivered(), [])
      // Nothing of the batch is left for a stop to count.
      yield* h.settlement.settleStopped([])
      assert.strictEqual(h.tally.messagesUndelivered, 0)
      h.tally.balanceBooks()
      assert.isUndefined(h.tally.fatal)
    })
  )

  it.effect("a split batch stopped: its open parts are undelivered and only their rows listed; settling the batch settles them", () =>
    Effect.gen(function* () {
      const h = harness()
      const batch = h.dispatch(batchOf([1, 2, 3, 4]))
      const [left, right] = halvesOf(batch)
      h.settlement.split(batch, [left, right])
      yield* h.settlement.settle(left, Accepted)
      // A defect in the sender settles the batch it was given: its open parts.
      yield* h.settlement.settle(batch, Undelivered)
      assert.deepStrictEqual([h.tally.messagesAccepted, h.tally.messagesUndelivered], [2, 2])
      assert.deepStrictEqual(h.acks.allUndelivered(), [[3, 4]])
      assert.strictEqual(h.acks.watermark(4, 0, Number.POSITIVE_INFINITY), 4)
      yield* h.settlement.settleStopped([])
      assert.strictEqual(h.tally.messagesUndelivered, 2)
      h.tally.balanceBooks()
      assert.isUndefined(h.tally.fatal)
    })
  )
})

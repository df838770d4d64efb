import { assert, describe, it } from "@effect/vitest"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import { TestClock } from "effect/testing"
import { type Batch, BatchBuilder } from "./Batcher.ts"
import type { BuiltMessage } from "../map/MessageMapper.ts"
import { batchLoop } from "./BatchLoop.ts"

const message = (rowNumber: number, bytes = 10): BuiltMessage => ({
  rowNumber,
  type: "track",
  messageId: `m${rowNumber}`,
  json: "x".repeat(bytes),
  bytes
})

/** A loop over a fresh queue, recording each batch closed and the time it closed. */
const harness = (limits: { batchCount: number; maxBytes?: number; flushIntervalMillis?: number }) =>
  Effect.gen(function* () {
    const queue = yield* Queue.bounded<BuiltMessage, Cause.Done>(100)
    const closed: Array<{ readonly rows: ReadonlyArray<number>; readonly at: number }> = []
    let handOffs = 0
    let now = 0
    const loop = batchLoop({
      queue,
      builder: new BatchBuilder({ maxCount: limits.batchCount, maxBytes: limits.maxBytes ?? 10_000, envelopeBytes: 0 }),
      batchCount: limits.batchCount,
      flushIntervalMillis: limits.flushIntervalMillis ?? 500,
      close: (batch: Batch) => closed.push({ rows: batch.messages.map((m) => m.rowNumber), at: now }),
      handOff: Effect.sync(() => void handOffs++)
    })
    const tick = (millis: number) =>
      Effect.sync(() => {
        now += millis
      }).pipe(Effect.andThen(TestClock.adjust(millis)))
    return { queue, closed, loop, tick, handOffs: () => handOffs }
  })

describe("batchLoop", () => {
  it.effect("closes a batch as soon as it holds the count, and hands it on", () =>
    Effect.gen(function* () {
      const { queue, closed, loop, handOffs } = yield* harness({ batchCount: 3 })
      yield* Queue.offerAll(
        queue,
        [1, 2, 3, 4, 5, 6, 7].map((n) => message(n))
      )
      yield* Queue.end(queue)
      yield* loop
      assert.deepStrictEqual(
        closed.map((batch) => batch.rows),
        [[1, 2, 3], [4, 5, 6], [7]]
      )
      assert.isAtLeast(handOffs(), 3)
    })
  )

  it.effect("closes a batch before the message that would pass the byte limit", () =>
    Effect.gen(function* () {
      const { queue, closed, loop } = yield* harness({ batchCount: 100, maxBytes: 25 })
      yield* Queue.offerAll(
        queue,
        [1, 2, 3].map((n) => message(n, 10))
      )
      yield* Queue.end(queue)
      yield* loop
      // 10 + 1 + 10 = 21 bytes fit; a third message would need 32.
      assert.deepStrictEqual(
        closed.map((batch) => batch.rows),
        [[1, 2], [3]]
      )
    })
  )

  it.effect("flushes a partial batch when its time window closes, not before", () =>
    Effect.gen(function* () {
      const { queue, closed, loop, tick } = yield* harness({ batchCount: 100, flushIntervalMillis: 500 })
      const fiber = yield* Effect.forkChild(loop)
      yield* tick(1_000)
      // Idle: the first message opens a new window rather than flushing at once.
      yield* Queue.offer(queue, message(1))
      yield* tick(400)
      assert.deepStrictEqual(closed, [])
      yield* Queue.offer(queue, message(2))
      yield* tick(100)
      assert.deepStrictEqual(closed, [{ rows: [1, 2], at: 1_500 }])
      yield* Queue.end(queue)
      yield* Fiber.join(fiber)
      assert.strictEqual(closed.length, 1)
    })
  )

  it.effect("closes the open batch when the queue ends", () =>
    Effect.gen(function* () {
      const { queue, closed, loop } = yield* harness({ batchCount: 100 })
      yield* Queue.offerAll(queue, [message(1), message(2)])
      yield* Queue.end(queue)
      yield* loop
      assert.deepStrictEqual(
        closed.map((batch) => batch.rows),
        [[1, 2]]
      )
    })
  )
})

import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Result from "effect/Result"
import type { Batch, BatchBuilder } from "./Batcher.ts"
import type { BuiltMessage } from "../map/MessageMapper.ts"

export interface BatchLoopInput {
  readonly queue: Queue.Dequeue<BuiltMessage, Cause.Done>
  readonly builder: BatchBuilder
  /** Most messages per batch (taken from the queue at most this many at a time). */
  readonly batchCount: number
  /** A batch that holds anything closes this long after the window opened. */
  readonly flushIntervalMillis: number
  /** Told of each batch as it closes, synchronously: nothing yields between a take and this. */
  readonly close: (batch: Batch) => void
  /** Hands the closed batches on; may wait (for a slot to send): the queue fills meanwhile. */
  readonly handOff: Effect.Effect<void>
}

/**
 * The batch loop: fills batches from the queue by count and bytes (the builder), and by time — a
 * batch closes `flushIntervalMillis` after its window opened. An idle loop opens a new window with
 * its first message, as Segment's libraries do, rather than flushing a lone message at once. Ends
 * when the queue ends, with the open batch closed and handed on.
 */
export const batchLoop = (input: BatchLoopInput): Effect.Effect<void> =>
  Effect.gen(function* () {
    const { queue, builder, flushIntervalMillis, close, handOff } = input
    let windowStart = yield* Clock.currentTimeMillis
    const flushOpen = Effect.gen(function* () {
      // Closed before anything yields: a stop at that yield finds the batch among the closed ones.
      const batch = builder.flush()
      if (batch !== undefined) close(batch)
      windowStart = yield* Clock.currentTimeMillis
      if (batch !== undefined) yield* handOff
    })
    while (true) {
      const idle = builder.size === 0
      const take = Queue.takeBetween(queue, 1, input.batchCount - builder.size)
      let taken: ReadonlyArray<BuiltMessage>
      if (idle) {
        const result = yield* Effect.result(take)
        if (Result.isFailure(result)) break
        taken = result.success
        const now = yield* Clock.currentTimeMillis
        if (now - windowStart >= flushIntervalMillis) windowStart = now
      } else {
        const remaining = windowStart + flushIntervalMillis - (yield* Clock.currentTimeMillis)
        if (remaining <= 0) {
          yield* flushOpen
          continue
        }
        const result = yield* Effect.result(Effect.timeoutOption(take, remaining))
        if (Result.isFailure(result)) break
        if (result.success._tag === "None") {
          yield* flushOpen
          continue
        }
        taken = result.success.value
      }
      // Synchronous: taken messages are in the builder or a closed batch before anything yields.
      let closed = false
      for (const message of taken) {
        for (const batch of builder.add(message)) {
          close(batch)
          closed = true
        }
      }
      if (closed) windowStart = yield* Clock.currentTimeMillis
      yield* handOff
    }
    yield* flushOpen
  })

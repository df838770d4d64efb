import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { TestClock } from "effect/testing"
import { DeliveryTally } from "../report/DeliveryTally.ts"
import { fatalRecord, Interrupted, SourceFailed } from "../report/Fatal.ts"
import { StopControl } from "./StopControl.ts"

describe("StopControl", () => {
  it.effect("on a drain request: reading stops, the flush gets its time, then the run stops at once", () =>
    Effect.gen(function* () {
      const tally = new DeliveryTally(0)
      const stop = yield* StopControl.make(tally)
      const drain = yield* Deferred.make<void>()
      let cut = 0
      yield* stop.watch(
        { drain: Deferred.await(drain), now: Effect.never },
        5_000,
        Effect.sync(() => void cut++)
      )
      yield* TestClock.adjust(1_000)
      assert.isFalse(stop.stopping)
      yield* Deferred.succeed(drain, undefined)
      yield* TestClock.adjust(0)
      assert.isTrue(stop.stopping)
      assert.strictEqual(cut, 1)
      assert.strictEqual(tally.fatal?._tag, "Interrupted")
      yield* TestClock.adjust(4_999)
      assert.isFalse(yield* stop.isStoppedAtOnce)
      yield* TestClock.adjust(1)
      assert.isTrue(yield* stop.isStoppedAtOnce)
      assert.deepStrictEqual(fatalRecord(tally.fatal!), { kind: "interrupted", message: "stopped on request; the flush took over 5000 ms" })
    })
  )

  it.effect("on a request to stop now: stops at once, replacing the graceful stop it cuts short", () =>
    Effect.gen(function* () {
      const tally = new DeliveryTally(0)
      const stop = yield* StopControl.make(tally)
      const now = yield* Deferred.make<void>()
      yield* stop.watch({ drain: Effect.void, now: Deferred.await(now) }, 60_000, Effect.void)
      yield* TestClock.adjust(0)
      assert.strictEqual(tally.fatal?.message, "stopped on request: reading stopped, what was queued and in flight was flushed")
      yield* Deferred.succeed(now, undefined)
      yield* stop.stoppedAtOnce
      assert.strictEqual(tally.fatal?.message, "stopped at once on request")
    })
  )

  it.effect("abort: the first cause stands; a stop request does not replace it", () =>
    Effect.gen(function* () {
      const tally = new DeliveryTally(0)
      const stop = yield* StopControl.make(tally)
      yield* stop.abort(new SourceFailed({ message: "gone" }))
      yield* stop.abort(new Interrupted({ message: "stopped at once on request" }))
      yield* stop.abort(new SourceFailed({ message: "again" }))
      assert.isTrue(yield* stop.isStoppedAtOnce)
      assert.deepStrictEqual(fatalRecord(tally.fatal!), { kind: "source", message: "gone" })
    })
  )
})

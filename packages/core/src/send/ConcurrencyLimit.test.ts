import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { makeConcurrencyLimit } from "./ConcurrencyLimit.ts"

/** Fills every slot, then feeds `samples` answers of `rtt` with the limit fully used. */
const feed = (limit: Effect.Success<ReturnType<typeof makeConcurrencyLimit>>, samples: number, rtt: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < samples; i++) yield* limit.answered(rtt, limit.limit(), false)
  })

describe("ConcurrencyLimit", () => {
  it.effect("starts at 4 and grows while the RTT stays flat and the limit is used, up to the ceiling", () =>
    Effect.gen(function* () {
      const limit = yield* makeConcurrencyLimit({ minInFlight: 2, maxInFlight: 32 })
      assert.strictEqual(limit.limit(), 4)
      yield* feed(limit, 20, 150)
      assert.isAbove(limit.limit(), 8)
      yield* feed(limit, 500, 150)
      assert.strictEqual(limit.limit(), 32)
      assert.strictEqual(limit.peak(), 32)
    })
  )

  it.effect("does not grow when app-limited (fewer than half the slots used) or when the rate binds", () =>
    Effect.gen(function* () {
      const limit = yield* makeConcurrencyLimit({ minInFlight: 2, maxInFlight: 32 })
      for (let i = 0; i < 200; i++) yield* limit.answered(1, 1, false)
      assert.strictEqual(limit.limit(), 4)
      for (let i = 0; i < 200; i++) yield* limit.answered(150, 4, true)
      assert.strictEqual(limit.limit(), 4)
    })
  )

  it.effect("shrinks when the RTT climbs above its long-run average, not below the floor", () =>
    Effect.gen(function* () {
      const limit = yield* makeConcurrencyLimit({ minInFlight: 3, maxInFlight: 32 })
      yield* feed(limit, 200, 100)
      const grown = limit.limit()
      assert.strictEqual(grown, 32)
      yield* feed(limit, 10, 400)
      assert.isBelow(limit.limit(), grown * 0.6)
      yield* feed(limit, 100, 2_000)
      assert.isAtLeast(limit.limit(), 3)
      assert.strictEqual(limit.peak(), 32)
    })
  )

  it.effect("failures shrink it once per round trip and second at most, never below the floor", () =>
    Effect.gen(function* () {
      const limit = yield* makeConcurrencyLimit({ minInFlight: 2, maxInFlight: 32 })
      yield* feed(limit, 30, 100)
      const before = limit.limit()
      // Three failures of attempts sent before the first was answered: one shrink.
      yield* limit.failed(900, 1_000)
      const once = limit.limit()
      assert.isBelow(once, before)
      yield* limit.failed(950, 1_010)
      yield* limit.failed(990, 1_020)
      assert.strictEqual(limit.limit(), once)
      // Failures every 10 ms for a second: one shrink.
      for (let i = 0; i < 100; i++) yield* limit.failed(2_000 + i * 10, 2_000 + i * 10)
      assert.isBelow(limit.limit(), once)
      assert.isAtLeast(limit.limit(), Math.floor(once * 0.9) - 1)
      for (let i = 0; i < 100; i++) yield* limit.failed(4_000 + i * 1_000, 4_000 + i * 1_000)
      assert.strictEqual(limit.limit(), 2)
    })
  )

  it.effect("admits up to the current limit, more as it grows; idle waits for every batch released", () =>
    Effect.gen(function* () {
      const limit = yield* makeConcurrencyLimit({ minInFlight: 2, maxInFlight: 8 })
      for (let i = 0; i < 4; i++) yield* limit.admit
      const fifth = yield* Effect.forkChild(limit.admit)
      yield* TestClock.adjust(1_000)
      assert.isUndefined(fifth.pollUnsafe())
      yield* feed(limit, 5, 100)
      yield* Fiber.join(fifth)
      assert.strictEqual(limit.admitted(), 5)
      const idle = yield* Effect.forkChild(limit.idle)
      for (let i = 0; i < 4; i++) yield* limit.release
      yield* TestClock.adjust(1)
      assert.isUndefined(idle.pollUnsafe())
      yield* limit.release
      yield* Fiber.join(idle)
      yield* limit.idle
    })
  )

  it.effect("with floor and ceiling equal, it is a fixed bound", () =>
    Effect.gen(function* () {
      const limit = yield* makeConcurrencyLimit({ minInFlight: 4, maxInFlight: 4 })
      yield* feed(limit, 100, 100)
      yield* limit.failed(0, 0)
      assert.strictEqual(limit.limit(), 4)
      assert.strictEqual(limit.peak(), 4)
    })
  )
})

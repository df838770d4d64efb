import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { burstOf, makeRateLimiter } from "./RateLimiter.ts"

/** `senders` fibers taking tokens as fast as they are given for `millis`; the times they got them. */
const hammer = (limiter: ReturnType<typeof makeRateLimiter>, senders: number, millis: number) =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    const times: Array<number> = []
    const sender = Effect.gen(function* () {
      while (true) {
        yield* limiter.take
        times.push(yield* Clock.currentTimeMillis)
      }
    })
    const fibers = yield* Effect.forEach(Array.from({ length: senders }), () => Effect.forkChild(sender))
    yield* TestClock.adjust(millis)
    yield* Effect.forEach(fibers, Fiber.interrupt)
    return times.filter((at) => at <= start + millis)
  })

describe("RateLimiter", () => {
  it.effect("honours the bucket: attempts in T seconds never exceed rate × T + burst, however many senders", () =>
    Effect.gen(function* () {
      const limiter = makeRateLimiter(50)
      const times = yield* hammer(limiter, 20, 3_000)
      assert.isAtMost(times.length, 50 * 3 + burstOf(50))
      assert.isAtLeast(times.length, 50 * 3)
      // Every window of one second, wherever it starts, holds at most rate + burst attempts.
      for (const start of times) {
        const inWindow = times.filter((at) => at >= start && at < start + 1_000).length
        assert.isAtMost(inWindow, 50 + burstOf(50))
      }
    })
  )

  it.effect("spreads attempts: the burst is a tenth of a second's worth, not a second's", () =>
    Effect.gen(function* () {
      const limiter = makeRateLimiter(50)
      const times = yield* hammer(limiter, 20, 100)
      assert.strictEqual(times.filter((at) => at === 0).length, 5)
      assert.strictEqual(burstOf(5), 1)
    })
  )

  it.effect("a lowered rate applies to the senders that come next", () =>
    Effect.gen(function* () {
      const limiter = makeRateLimiter(50)
      yield* hammer(limiter, 4, 1_000)
      limiter.setRate(10, yield* Clock.currentTimeMillis)
      const start = yield* Clock.currentTimeMillis
      const times = (yield* hammer(limiter, 4, 2_000)).filter((at) => at >= start)
      assert.isAtMost(times.length, 10 * 2 + burstOf(50))
      assert.isAtLeast(times.length, 10 * 2 - 1)
      assert.strictEqual(limiter.rate(), 10)
    })
  )

  it.effect("a rate of 0 is no limit", () =>
    Effect.gen(function* () {
      const limiter = makeRateLimiter(0)
      for (let i = 0; i < 1_000; i++) yield* limiter.take
      assert.strictEqual(yield* Clock.currentTimeMillis, 0)
    })
  )
})

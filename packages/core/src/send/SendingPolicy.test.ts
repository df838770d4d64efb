import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import { httpError } from "../testing/RecordingTransport.ts"
import { fixedSendingPolicy } from "./SendingPolicy.ts"

const settings = { maxInFlight: 2, maxRetryMillis: 60_000, backoffBaseMillis: 500, backoffCapMillis: 30_000 }

describe("fixedSendingPolicy", () => {
  it.effect("admits at most maxInFlight batches; idle waits for every one released", () =>
    Effect.gen(function* () {
      const policy = yield* fixedSendingPolicy(settings)
      yield* policy.admit
      yield* policy.admit
      const third = yield* Effect.forkChild(policy.admit)
      yield* TestClock.adjust(1_000)
      assert.isUndefined(third.pollUnsafe())
      const idle = yield* Effect.forkChild(policy.idle)
      yield* policy.release
      yield* Fiber.join(third)
      yield* policy.release
      yield* TestClock.adjust(1)
      assert.isUndefined(idle.pollUnsafe())
      yield* policy.release
      yield* Fiber.join(idle)
    })
  )

  it.effect("after a 429 with Retry-After, holds every attempt until the pause has passed", () =>
    Effect.gen(function* () {
      const policy = yield* fixedSendingPolicy(settings)
      const decision = yield* policy.failed(httpError(429, 3_000), 1, 0)
      assert.deepStrictEqual(decision, { _tag: "Retry", delayMillis: 3_000, pauseAll: true })
      const attempt = yield* Effect.forkChild(policy.beforeAttempt.pipe(Effect.andThen(Clock.currentTimeMillis)))
      yield* TestClock.adjust(2_999)
      assert.isUndefined(attempt.pollUnsafe())
      yield* TestClock.adjust(1)
      assert.strictEqual(yield* Fiber.join(attempt), 3_000)
    })
  )

  it.effect("backs off exponentially with jitter within the budget, then stops as exhausted", () =>
    Effect.gen(function* () {
      const policy = yield* fixedSendingPolicy(settings)
      const first = yield* policy.failed(httpError(500), 1, 0)
      const third = yield* policy.failed(httpError(500), 3, 0)
      assert.strictEqual(first._tag, "Retry")
      assert.strictEqual(third._tag, "Retry")
      if (first._tag === "Retry" && third._tag === "Retry") {
        assert.isTrue(first.delayMillis >= 250 && first.delayMillis <= 500)
        assert.isTrue(third.delayMillis >= 1_000 && third.delayMillis <= 2_000)
        assert.isFalse(first.pauseAll)
      }
      assert.deepStrictEqual(yield* policy.failed(httpError(500), 9, 59_999), { _tag: "Stop", reason: "exhausted", by: "time" })
      assert.deepStrictEqual(yield* policy.failed(httpError(401), 1, 0), { _tag: "Stop", reason: "auth" })
      assert.deepStrictEqual(yield* policy.failed(httpError(400), 1, 0), { _tag: "Stop", reason: "refused" })
    }).pipe(Random.withSeed(1))
  )
})

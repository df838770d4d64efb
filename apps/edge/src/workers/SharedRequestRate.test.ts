import { Defaults } from "@tablecast/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { sharedRequestRate } from "./SharedRequestRate.ts"

const options = (maxRps: number) =>
  ({
    batchCount: 100,
    batchBytes: 475_000,
    flushIntervalMillis: 500,
    queueCapacity: 500,
    maxInFlight: 4,
    maxRps,
    maxRetryMillis: 60_000,
    backoffBaseMillis: 500,
    backoffCapMillis: 30_000,
    drainTimeoutMillis: 30_000,
    checkpointIntervalMillis: 1_000,
    rejectProbeRows: 1_000,
    dryRun: false
  }) as const

/** Runs one `beforeAttempt` of the shared policy; how long it held the attempt on the test clock. */
const heldFor = (reserve: (rate: number) => Promise<number>, maxRps: number) =>
  Effect.gen(function* () {
    const policy = yield* sharedRequestRate(reserve).make(options(maxRps) as never)
    const attempt = yield* Effect.forkChild(policy.beforeAttempt.pipe(Effect.andThen(Clock.currentTimeMillis)))
    // Time moves in steps of 10 ms until the attempt may start; when it started is when it was let go.
    for (let step = 0; step < 1_000 && attempt.pollUnsafe() === undefined; step++) {
      yield* Effect.yieldNow
      if (attempt.pollUnsafe() === undefined) yield* TestClock.adjust(10)
    }
    return yield* Fiber.join(attempt)
  }).pipe(Effect.provide(TestClock.layer()), Effect.runPromise)

/** A reservation that records the rate asked at and answers a fixed wait. */
const recording = (asked: Array<number>, waitMillis: number) => async (rate: number) => {
  asked.push(rate)
  return waitMillis
}

describe("sharedRequestRate (the consumers of a queued run share its request rate)", () => {
  it("holds each attempt until the run's schedule gives it a slot, asking at the consumer's own rate", async () => {
    const asked: Array<number> = []
    expect(await heldFor(recording(asked, 250), 20)).toBe(250)
    expect(asked).toEqual([20])
  })

  it("asks nothing without a rate, and goes on under its own limit when the run's object fails", async () => {
    const asked: Array<number> = []
    expect(await heldFor(recording(asked, 250), 0)).toBe(0)
    expect(asked).toEqual([])
    expect(await heldFor(() => Promise.reject(new Error("object unreachable")), Defaults.maxRps)).toBe(0)
  })
})

import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { RejectSink } from "../report/RejectSink.ts"
import * as Sync from "../run/Sync.ts"
import { PipelineOptions, type PipelineOptionsInput } from "../spec/PipelineOptions.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { httpError, type RecordedRequest, recordingTransport } from "../testing/RecordingTransport.ts"
import { type SimulatedEndpointOptions, simulatedEndpoint } from "../testing/SimulatedEndpoint.ts"
import { adaptiveSendingPolicy } from "./AdaptiveSendingPolicy.ts"

const retry = { maxRetryMillis: 600_000, backoffBaseMillis: 500, backoffCapMillis: 30_000 }

/** A sync of `rows` rows, one per batch (one request each), against a simulated endpoint. */
const syncAgainst = (rows: number, endpoint: SimulatedEndpointOptions, options: PipelineOptionsInput = {}) =>
  Effect.gen(function* () {
    const simulated = simulatedEndpoint(endpoint)
    const transport = recordingTransport(simulated.answer)
    const layer = Layer.mergeAll(
      memorySource(Array.from({ length: rows }, (_, i) => ({ customer_id: `c${i + 1}`, row: i + 1 }))),
      transport.layer,
      Layer.succeed(RejectSink, { write: () => Effect.void })
    )
    const run = Sync.run({
      spec: SyncSpec.parse({ event: "Scored", customerId: "customer_id" }),
      options: PipelineOptions.parse({ batchCount: 1, ...options })
    }).pipe(Effect.provide(layer), Random.withSeed(42))
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 100_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(10)
    const report: DeliveryReport = yield* Fiber.join(fiber)
    // Nothing is lost: every row accepted, each once.
    assert.strictEqual(report.outcome, "completed")
    assert.strictEqual(report.messages.accepted, rows)
    assert.strictEqual(new Set(transport.accepted).size, rows)
    return { report, requests: transport.requests, simulated }
  })

/** Requests per second over the run, first request to last. */
const requestRate = (requests: ReadonlyArray<RecordedRequest>) =>
  (requests.length - 1) / ((requests[requests.length - 1]!.at - requests[0]!.at) / 1_000)

describe("adaptiveSendingPolicy", () => {
  it.effect("against a token bucket of 20 req/s (burst 20): settles just under 20 req/s after at most 3 429s", () =>
    Effect.gen(function* () {
      const { report, requests, simulated } = yield* syncAgainst(200, {
        latencyMillis: 50,
        bucket: { rate: 20, burst: 20, retryAfterMillis: 1_000 }
      })
      assert.isAtMost(simulated.throttled(), 3)
      assert.strictEqual(report.sending?.throttled, simulated.throttled())
      const rate = report.sending?.rateLimit ?? 0
      assert.isAtLeast(rate, 17)
      assert.isAtMost(rate, 20)
      assert.isAtLeast(report.sending?.rateCuts ?? 0, 1)
      // Sustained: at least 0.9 × 20 req/s once cut.
      const afterCut = requests.filter((r) => r.at >= 2_000)
      assert.isAtLeast(requestRate(afterCut), 0.9 * 20 * 0.95)
    })
  )

  it.effect("429s at random (10 %) do not collapse the rate: it ends at 80 % of maxRps or more", () =>
    Effect.gen(function* () {
      const { report, simulated } = yield* syncAgainst(400, {
        latencyMillis: 50,
        faults: { throttled: 0.1, retryAfterMillis: 1_000 }
      })
      assert.isAtLeast(simulated.throttled(), 20)
      assert.isAtLeast(report.sending?.rateLimit ?? 0, 0.8 * 50)
    })
  )

  it.effect("random 429s, 5xx and resets: throughput bounded by the faults, the concurrency never under its floor", () =>
    Effect.gen(function* () {
      const { report, requests } = yield* syncAgainst(
        400,
        { latencyMillis: 100, faults: { throttled: 0.1, server: 0.2, reset: 0.05, retryAfterMillis: 1_000 } },
        { minInFlight: 3 }
      )
      assert.isAtLeast(report.sending?.concurrencyLimit ?? 0, 3)
      assert.isAtLeast(report.sending?.rateLimit ?? 0, 0.8 * 50)
      // About 35 % of the attempts fail: at 50 req/s, at least ~0.65 × 50 / 2 accepted a second.
      const seconds = (requests[requests.length - 1]!.at - requests[0]!.at) / 1_000
      assert.isAtLeast(400 / seconds, 15)
    })
  )

  it.effect("at 150 ms a round trip and 50 req/s, the concurrency limit grows to the 8–10 in flight Little's law asks", () =>
    Effect.gen(function* () {
      const { report, requests, simulated } = yield* syncAgainst(500, { latencyMillis: 150 })
      const limit = report.sending?.concurrencyLimit ?? 0
      assert.isAtLeast(limit, 8)
      assert.isAtMost(limit, 12)
      assert.isAtLeast(simulated.peakConcurrent(), 7)
      assert.isAtLeast(requestRate(requests.filter((r) => r.at >= 2_000)), 45)
      assert.isAtMost(requestRate(requests), 50 + 5)
    })
  )

  it.effect("on loopback at 50 req/s, the concurrency limit does not grow", () =>
    Effect.gen(function* () {
      const { report } = yield* syncAgainst(300, { latencyMillis: 1 })
      assert.strictEqual(report.sending?.concurrencyLimitPeak, 4)
    })
  )

  it.effect("a 429 lowers the rate for every sender; the refused batch waits its Retry-After while the others go on", () =>
    Effect.gen(function* () {
      const policy = yield* adaptiveSendingPolicy({ maxInFlight: 8, maxRps: 50, ...retry })
      // 30 answers at 50 req/s, then a 429.
      for (let i = 0; i < 30; i++) {
        yield* policy.beforeAttempt
        yield* TestClock.adjust(20)
        yield* policy.accepted(20)
      }
      const decision = yield* policy.failed(httpError(429, 2_000), 1, 20, 20)
      assert.deepStrictEqual(decision, { _tag: "Retry", delayMillis: 2_000, pauseAll: false })
      const cut = policy.figures?.().rateLimit ?? 0
      assert.isBelow(cut, 30)
      assert.isAbove(cut, 15)
      // The other senders are not paused: the next attempts start within the new spacing.
      const start = yield* Clock.currentTimeMillis
      const sender = Effect.gen(function* () {
        for (let i = 0; i < 10; i++) yield* policy.beforeAttempt
        return yield* Clock.currentTimeMillis
      })
      const fiber = yield* Effect.forkChild(sender)
      yield* TestClock.adjust(2_000)
      const done = yield* Fiber.join(fiber)
      assert.isBelow(done - start, 1_000)
      assert.isAtLeast(done - start, (9 / cut) * 1_000 - 100)
      assert.deepStrictEqual(
        { throttled: policy.figures?.().throttled, wait: policy.figures?.().throttleWaitMillis, cuts: policy.figures?.().rateCuts },
        { throttled: 1, wait: 2_000, cuts: 1 }
      )
    }).pipe(Random.withSeed(1))
  )

  it.effect("a Retry-After over 30 s holds every sender until it passes", () =>
    Effect.gen(function* () {
      const policy = yield* adaptiveSendingPolicy({ maxInFlight: 8, maxRps: 50, ...retry })
      const decision = yield* policy.failed(httpError(429, 60_000), 1, 0, 10)
      assert.deepStrictEqual(decision, { _tag: "Retry", delayMillis: 60_000, pauseAll: true })
      const attempt = yield* Effect.forkChild(policy.beforeAttempt.pipe(Effect.andThen(Clock.currentTimeMillis)))
      yield* TestClock.adjust(59_999)
      assert.isUndefined(attempt.pollUnsafe())
      yield* TestClock.adjust(1)
      assert.strictEqual(yield* Fiber.join(attempt), 60_000)
      assert.strictEqual(policy.figures?.().rateCuts, 0)
    }).pipe(Random.withSeed(1))
  )

  it.effect("with minInFlight = maxInFlight and maxRps 0, it is the fixed policy: a fixed bound, no rate", () =>
    Effect.gen(function* () {
      const policy = yield* adaptiveSendingPolicy({ minInFlight: 4, maxInFlight: 4, maxRps: 0, ...retry })
      for (let i = 0; i < 100; i++) yield* policy.accepted(100)
      for (let i = 0; i < 1_000; i++) yield* policy.beforeAttempt
      assert.strictEqual(yield* Clock.currentTimeMillis, 0)
      for (let i = 0; i < 4; i++) yield* policy.admit
      const fifth = yield* Effect.forkChild(policy.admit)
      yield* TestClock.adjust(1_000)
      assert.isUndefined(fifth.pollUnsafe())
      yield* policy.release
      yield* Fiber.join(fifth)
      const figures = policy.figures?.()
      assert.strictEqual(figures?.concurrencyLimit, 4)
      assert.isUndefined(figures?.rateLimit)
      // A 429 makes its batch wait; there is no rate to cut.
      const decision = yield* policy.failed(httpError(429, 3_000), 1, 0, 10)
      assert.deepStrictEqual(decision, { _tag: "Retry", delayMillis: 3_000, pauseAll: false })
      assert.isUndefined(policy.figures?.().rateLimit)
    }).pipe(Random.withSeed(1))
  )
})

import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type { SendingFigures } from "../report/DeliveryReport.ts"
import { inFlightFloor, type PipelineOptions } from "../spec/PipelineOptions.ts"
import { makeConcurrencyLimit } from "./ConcurrencyLimit.ts"
import { makeRateLimiter } from "./RateLimiter.ts"
import { decideRetry, type RetrySettings } from "./RetryPolicy.ts"
import type { SendingPolicyShape } from "./SendingPolicyShape.ts"
import { ThrottleControl } from "./ThrottleControl.ts"

/** A Retry-After longer than this stops every sender until it passes (Segment asks for it), not just the batch refused. */
export const PAUSE_ALL_AFTER_MILLIS = 30_000

export type AdaptiveSendingSettings = Pick<PipelineOptions, "maxInFlight" | "maxRps"> &
  Partial<Pick<PipelineOptions, "minInFlight">> &
  RetrySettings

/**
 * The default sending policy: three controls, each in a file of its own.
 * - The rate limiter (RateLimiter.ts): every attempt, retries included, takes a token from a
 *   bucket shared by all senders, `maxRps` per second (0: no limit of our own).
 * - The throttle control (ThrottleControl.ts): a 429 lowers that rate for every sender, to just
 *   under the rate the endpoint let through; a cut that does not lower the share of 429s is undone.
 *   The refused batch waits its Retry-After; the others slow down, they do not stop — except for a
 *   Retry-After over 30 s, which holds every sender as Segment asks. With `maxRps` 0 there is no
 *   rate to lower: a 429 only makes its batch wait.
 * - The concurrency limit (ConcurrencyLimit.ts): batches in flight follow the round-trip time,
 *   between `minInFlight` and `maxInFlight`.
 * Retries back off as the fixed policy's do (`decideRetry`). With `minInFlight` equal to
 * `maxInFlight` and `maxRps` 0 it is the fixed policy, but for the pause of every sender on a 429.
 */
export const adaptiveSendingPolicy = (settings: AdaptiveSendingSettings): Effect.Effect<SendingPolicyShape> =>
  Effect.gen(function* () {
    const concurrency = yield* makeConcurrencyLimit({ minInFlight: inFlightFloor(settings), maxInFlight: settings.maxInFlight })
    const limiter = makeRateLimiter(settings.maxRps)
    const throttle = settings.maxRps > 0 ? new ThrottleControl(settings.maxRps) : undefined
    /** After a 429 with a long Retry-After, no attempt starts before this time. */
    let pausedUntil = 0
    let throttledAnswers = 0
    let throttleWaitMillis = 0
    const applyRate = (rate: number | undefined, now: number) => {
      if (rate !== undefined) limiter.setRate(rate, now)
    }
    return {
      admit: concurrency.admit,
      release: concurrency.release,
      idle: concurrency.idle,
      beforeAttempt: Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (pausedUntil > now) yield* Effect.sleep(pausedUntil - now)
        yield* limiter.take
      }),
      accepted: (latencyMillis) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          applyRate(throttle?.answered(now - latencyMillis, now), now)
          const waiting = limiter.waiting()
          yield* concurrency.answered(latencyMillis, concurrency.admitted() - waiting, waiting > 0)
        }),
      failed: (error, attempt, elapsedMillis, attemptMillis = 0) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const sentAt = now - attemptMillis
          const decision = decideRetry(error, attempt, elapsedMillis, settings, yield* Random.next)
          if (error.kind === "throttled") {
            throttledAnswers++
            const stopAll = error.retryAfterMillis !== undefined && error.retryAfterMillis > PAUSE_ALL_AFTER_MILLIS
            if (decision._tag !== "Retry") return decision
            throttleWaitMillis += decision.delayMillis
            // A 429 is about the request rate: it acts on the rate, never on concurrency.
            if (stopAll) pausedUntil = Math.max(pausedUntil, now + decision.delayMillis)
            else applyRate(throttle?.throttled(sentAt, now), now)
            return { ...decision, pauseAll: stopAll }
          }
          // An answer that is not a 429 is a request the endpoint's limiter let through.
          if (error.status !== undefined) applyRate(throttle?.answered(sentAt, now), now)
          if (error.kind === "server" || error.kind === "network" || error.kind === "timeout") yield* concurrency.failed(sentAt, now)
          return decision
        }),
      figures: (): SendingFigures => ({
        throttled: throttledAnswers,
        throttleWaitMillis,
        concurrencyLimit: concurrency.limit(),
        concurrencyLimitPeak: concurrency.peak(),
        ...(limiter.rate() > 0 ? { rateLimit: Math.round(limiter.rate() * 10) / 10 } : {}),
        rateCuts: throttle?.cuts ?? 0
      })
    }
  })

import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Semaphore from "effect/Semaphore"
import type { SendingFigures } from "../report/DeliveryReport.ts"
import type { PipelineOptions } from "../spec/PipelineOptions.ts"
import { adaptiveSendingPolicy } from "./AdaptiveSendingPolicy.ts"
import { decideRetry, type RetryDecision, type RetrySettings } from "./RetryPolicy.ts"
import type { TransportError } from "./Transport.ts"

/**
 * How batches are sent: how many at once, when an attempt may start, what follows a failed one.
 * The dispatcher asks; the policy decides. The default is the adaptive policy (AdaptiveSendingPolicy.ts:
 * a rate limit of its own, lowered on 429s, and a concurrency limit that follows the round-trip
 * time); the fixed policy below is the seed's behaviour, kept for tests and comparisons.
 */
export interface SendingPolicyShape {
  /** Waits for room to send one more batch. */
  readonly admit: Effect.Effect<void>
  /** Gives the room back: the batch is settled. */
  readonly release: Effect.Effect<void>
  /** Waits until an attempt may start (a pause after a 429 holds every sender). */
  readonly beforeAttempt: Effect.Effect<void>
  /** Told of an attempt the endpoint took, with how long it took. */
  readonly accepted: (latencyMillis: number) => Effect.Effect<void>
  /**
   * What follows a failed attempt: a retry after a delay, or a stop. `attemptMillis`: how long the
   * attempt itself took (when it was sent, for a policy that tells answers to old requests apart).
   */
  readonly failed: (error: TransportError, attempt: number, elapsedMillis: number, attemptMillis?: number) => Effect.Effect<RetryDecision>
  /** Completes once every batch admitted has been released. */
  readonly idle: Effect.Effect<void>
  /** The sending figures so far (limits, 429s), for progress and the report; absent from a policy that keeps none. */
  readonly figures?: () => SendingFigures
}

/** What the fixed policy is made of: a bound on batches in flight and the retry budget. */
export type FixedSendingSettings = Pick<PipelineOptions, "maxInFlight"> & RetrySettings

/**
 * The fixed policy: at most `maxInFlight` batches at once; exponential backoff with jitter within
 * the retry budget (`decideRetry`); a 429 with Retry-After pauses every sender until it passes.
 */
export const fixedSendingPolicy = (settings: FixedSendingSettings): Effect.Effect<SendingPolicyShape> =>
  Effect.gen(function* () {
    const slots = yield* Semaphore.make(settings.maxInFlight)
    /** After a 429 with Retry-After, no attempt starts before this time. */
    let pausedUntil = 0
    return {
      admit: slots.take(1).pipe(Effect.asVoid),
      release: slots.release(1).pipe(Effect.asVoid),
      beforeAttempt: Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (pausedUntil > now) yield* Effect.sleep(pausedUntil - now)
      }),
      accepted: () => Effect.void,
      failed: (error, attempt, elapsedMillis) =>
        Effect.gen(function* () {
          const decision = decideRetry(error, attempt, elapsedMillis, settings, yield* Random.next)
          if (decision._tag === "Retry" && decision.pauseAll) {
            pausedUntil = Math.max(pausedUntil, (yield* Clock.currentTimeMillis) + decision.delayMillis)
          }
          return decision
        }),
      // Every slot back means every batch admitted was released.
      idle: slots.take(settings.maxInFlight).pipe(Effect.andThen(slots.release(settings.maxInFlight)), Effect.asVoid)
    }
  })

/** Makes the run's sending policy from its options. The adaptive policy unless replaced. */
export const SendingPolicy = Context.Reference<{
  readonly make: (options: PipelineOptions) => Effect.Effect<SendingPolicyShape>
}>("tablecast/SendingPolicy", { defaultValue: () => ({ make: adaptiveSendingPolicy }) })

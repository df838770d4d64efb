import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Semaphore from "effect/Semaphore"
import type { PipelineOptions } from "../spec/PipelineOptions.ts"
import { adaptiveSendingPolicy } from "./AdaptiveSendingPolicy.ts"
import { decideRetry, type RetrySettings } from "./RetryPolicy.ts"
import type { SendingPolicyShape } from "./SendingPolicyShape.ts"

export type { SendingPolicyShape } from "./SendingPolicyShape.ts"

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

import { adaptiveSendingPolicy, type PipelineOptions, type SendingPolicy } from "@tablecast/core"
import * as Effect from "effect/Effect"

/** Reserves a request slot of the run at `rate` per second; resolves with the milliseconds to wait. */
export type ReserveRequest = (rate: number) => Promise<number>

/**
 * The sending policy of a queued run's consumers: the adaptive policy, whose own limit holds per
 * consumer, and before every attempt a slot of the run's schedule in its Durable Object, so the
 * consumers of one run together stay within the run's `maxRps`. A consumer asks at its own current
 * rate, so a 429 one of them heard slows its share. If the object cannot be reached, the attempt
 * goes on under the consumer's own limit: a missed reservation must not cost the chunk.
 */
export const sharedRequestRate = (reserve: ReserveRequest): typeof SendingPolicy.Service => ({
  make: (options: PipelineOptions) =>
    adaptiveSendingPolicy(options).pipe(
      Effect.map((policy) =>
        options.maxRps <= 0
          ? policy
          : {
              ...policy,
              beforeAttempt: policy.beforeAttempt.pipe(
                Effect.andThen(
                  Effect.tryPromise(() => reserve(policy.figures?.().rateLimit ?? options.maxRps)).pipe(
                    Effect.orElseSucceed(() => 0),
                    Effect.flatMap((waitMillis) => (waitMillis > 0 ? Effect.sleep(waitMillis) : Effect.void))
                  )
                )
              )
            }
      )
    )
})

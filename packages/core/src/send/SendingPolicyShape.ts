import type * as Effect from "effect/Effect"
import type { SendingFigures } from "../report/DeliveryReport.ts"
import type { RetryDecision } from "./RetryPolicy.ts"
import type { TransportError } from "./Transport.ts"

/**
 * How batches are sent: how many at once, when an attempt may start, what follows a failed one.
 * The dispatcher asks; the policy decides. The default is the adaptive policy (AdaptiveSendingPolicy.ts:
 * a rate limit of its own, lowered on 429s, and a concurrency limit that follows the round-trip
 * time); the fixed policy (SendingPolicy.ts) is the seed's behaviour, kept for tests and comparisons.
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

import type { TransportError } from "./Transport.ts"

export interface RetrySettings {
  /** Tries per batch, the first included; no cap when undefined (the time budget binds). */
  readonly maxAttempts?: number | undefined
  /** The retry budget: no attempt starts later than this after a batch's first one. */
  readonly maxRetryMillis: number
  readonly backoffBaseMillis: number
  readonly backoffCapMillis: number
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly _tag: "Retry"; readonly delayMillis: number; readonly pauseAll: boolean }
  | { readonly _tag: "Stop"; readonly reason: "auth" | "refused" }
  /** The retry budget ran out: by its time (the default bound) or by a cap on attempts the user set. */
  | { readonly _tag: "Stop"; readonly reason: "exhausted"; readonly by: "time" | "attempts" }

/**
 * Segment's own libraries back off exponentially from 0.5 s. Jitter in [d/2, d] spreads batches
 * that failed together; a `Retry-After` wins over the computed delay (the transport caps it at
 * 300 s). `pauseAll` marks a 429 with Retry-After: the fixed policy pauses every sender on it;
 * the adaptive policy lowers the request rate instead and pauses every sender only for a long
 * Retry-After (AdaptiveSendingPolicy.ts).
 *
 * The budget is time, not a count of attempts: an endpoint down for minutes (a deploy, a network
 * cut, Segment's own incidents) is ridden out, and with the backoff capped (30 s by default) a
 * recovery is noticed within that cap. A count of attempts binds only when the user sets one.
 */
export const decideRetry = (
  error: TransportError,
  attempt: number,
  elapsedMillis: number,
  settings: RetrySettings,
  /** A number in [0, 1). */
  random: number
): RetryDecision => {
  if (error.kind === "auth") return { _tag: "Stop", reason: "auth" }
  if (!error.retryable) return { _tag: "Stop", reason: "refused" }
  if (settings.maxAttempts !== undefined && attempt >= settings.maxAttempts) return { _tag: "Stop", reason: "exhausted", by: "attempts" }
  const exponential = Math.min(settings.backoffCapMillis, settings.backoffBaseMillis * 2 ** (attempt - 1))
  const jittered = Math.round(exponential / 2 + (exponential / 2) * random)
  const delayMillis = error.retryAfterMillis ?? jittered
  if (elapsedMillis + delayMillis > settings.maxRetryMillis) return { _tag: "Stop", reason: "exhausted", by: "time" }
  return { _tag: "Retry", delayMillis, pauseAll: error.kind === "throttled" && error.retryAfterMillis !== undefined }
}

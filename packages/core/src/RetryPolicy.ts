import type { TransportError } from "./Transport.ts"

export interface RetrySettings {
  readonly maxAttempts: number
  readonly maxRetryMillis: number
  readonly backoffBaseMillis: number
  readonly backoffCapMillis: number
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly _tag: "Retry"; readonly delayMillis: number; readonly pauseAll: boolean }
  | { readonly _tag: "Stop"; readonly reason: "auth" | "refused" | "exhausted" }

/**
 * Segment's own libraries back off exponentially from 0.5 s. Jitter in [d/2, d] spreads batches
 * that failed together; a `Retry-After` wins over the computed delay (the transport caps it at
 * 300 s). A 429 pauses every sender, not just the one that got it: hammering a throttled
 * workspace only earns more 429s.
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
  if (attempt >= settings.maxAttempts) return { _tag: "Stop", reason: "exhausted" }
  const exponential = Math.min(settings.backoffCapMillis, settings.backoffBaseMillis * 2 ** (attempt - 1))
  const jittered = Math.round(exponential / 2 + (exponential / 2) * random)
  const delayMillis = error.retryAfterMillis ?? jittered
  if (elapsedMillis + delayMillis > settings.maxRetryMillis) return { _tag: "Stop", reason: "exhausted" }
  return { _tag: "Retry", delayMillis, pauseAll: error.kind === "throttled" && error.retryAfterMillis !== undefined }
}

/**
 * A token bucket as Segment-like rate limits are usually described: it holds at most `burst`
 * tokens, starts full, and refills continuously at `ratePerSecond` (not in steps once a second).
 * Each request takes one token; with less than one token left the request is over the limit.
 * Time comes from the caller (milliseconds), so tests drive it without a clock.
 */
export interface TokenBucket {
  /** Takes a token at `nowMillis`: true when there was one, false when over the limit. */
  readonly take: (nowMillis: number) => boolean
}

export const makeTokenBucket = (ratePerSecond: number, burst: number, startMillis: number): TokenBucket => {
  if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error(`a token bucket needs a rate > 0 and a burst ≥ 1 (got ${ratePerSecond}, ${burst})`)
  let tokens = burst
  let last = startMillis
  return {
    take: (nowMillis) => {
      // A clock that steps back (it should not) refills nothing rather than draining the bucket.
      const elapsed = Math.max(0, nowMillis - last)
      last = Math.max(last, nowMillis)
      tokens = Math.min(burst, tokens + (elapsed * ratePerSecond) / 1000)
      if (tokens < 1) return false
      tokens -= 1
      return true
    }
  }
}

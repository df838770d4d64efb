import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/**
 * A token bucket shared by every sender of a run: at most `rate` attempts per second, with a small
 * burst (a tenth of a second's worth, at least one token) so requests are spread over the second
 * rather than sent in bunches that an endpoint's own bucket would refuse.
 *
 * Kept as a virtual schedule (GCRA): each attempt reserves the next free slot and sleeps until it,
 * so waiting senders go in the order they asked, without polling. A rate of 0 means no limit.
 */
export interface RateLimiter {
  /** Waits for a token: returns at once while the bucket holds one. */
  readonly take: Effect.Effect<void>
  /** The current rate in requests per second; 0 = no limit. */
  readonly rate: () => number
  /** Changes the rate from now on (the throttle control lowers and raises it). */
  readonly setRate: (rate: number, nowMillis: number) => void
  /** Senders waiting for a token now: more than none means the rate, not concurrency, binds. */
  readonly waiting: () => number
}

/** Tokens the bucket holds at most at `rate`: a tenth of a second's worth, at least one. */
export const burstOf = (rate: number): number => Math.max(1, rate / 10)

/**
 * One step of the virtual schedule: an attempt asking at `now`, with the next free slot at
 * `nextSlot`, may go after `waitMillis`; the slot after it is returned. Pure, so a limit shared
 * beyond one process (the edge's Durable Object of a run) keeps the same schedule.
 */
export const reserveSlot = (nextSlot: number, rate: number, now: number): { readonly waitMillis: number; readonly nextSlot: number } => {
  if (rate <= 0) return { waitMillis: 0, nextSlot }
  const interval = 1_000 / rate
  const slot = Math.max(nextSlot, now)
  // The burst lets a slot be taken up to (burst - 1) intervals before its theoretical time.
  const allowedAt = slot - (burstOf(rate) - 1) * interval
  return { waitMillis: Math.max(0, Math.ceil(allowedAt - now)), nextSlot: slot + interval }
}

export const makeRateLimiter = (initialRate: number): RateLimiter => {
  let rate = initialRate
  /** The theoretical time of the next attempt, were attempts spaced exactly 1/rate apart. */
  let nextSlot = 0
  let waiting = 0
  /** Bumped at each change of rate: a slot reserved under an older rate is reserved again. */
  let generation = 0
  const interval = () => 1_000 / rate
  /** Reserves a slot; the milliseconds to wait for it. */
  const reserve = (now: number): number => {
    const reserved = reserveSlot(nextSlot, rate, now)
    nextSlot = reserved.nextSlot
    return reserved.waitMillis
  }
  const take: Effect.Effect<void> = Effect.gen(function* () {
    const reservedIn = generation
    const wait = reserve(yield* Clock.currentTimeMillis)
    if (wait === 0) return
    waiting++
    yield* Effect.sleep(wait).pipe(Effect.ensuring(Effect.sync(() => waiting--)))
    // The rate changed while this sender slept: its slot was of the old schedule.
    if (generation !== reservedIn) yield* take
  })
  return {
    take,
    rate: () => rate,
    setRate: (newRate, now) => {
      if (newRate === rate) return
      const lowered = newRate > 0 && (rate <= 0 || newRate < rate)
      rate = newRate
      generation++
      // A cut starts from an empty bucket (the endpoint's is empty: it just said 429); a rise keeps
      // the schedule where it is.
      nextSlot = lowered ? now + burstOf(rate) * interval() : Math.min(nextSlot, now)
    },
    waiting: () => waiting
  }
}

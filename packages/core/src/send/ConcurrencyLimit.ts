import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Semaphore from "effect/Semaphore"

export interface ConcurrencySettings {
  /** The floor: the limit never goes below it. */
  readonly minInFlight: number
  /** The ceiling. */
  readonly maxInFlight: number
}

/** Where the limit starts, within the floor and the ceiling. */
export const INITIAL_LIMIT = 4
/** Gradient2's tolerance: RTT up to this multiple of the long-run RTT is not a queue building. */
const RTT_TOLERANCE = 1.5
/** Samples the long-run RTT averages over (an exponential moving average). */
const LONG_RTT_WINDOW = 100
/** How much of each new estimate enters the limit: damps the reaction to one sample. */
const SMOOTHING = 0.2
/** A 5xx, a reset or a timeout: the limit is multiplied by this, once per round trip and second at most. */
const FAILURE_BACKOFF = 0.9
const FAILURE_BACKOFF_GAP_MILLIS = 1_000

/**
 * How many batches may be in flight at once, adapted to the endpoint as a gradient limit in the
 * manner of TCP Vegas and Netflix's concurrency-limits Gradient2: while the round-trip time stays
 * near its long-run average and the limit is actually used, the limit grows (by about √limit per
 * round, smoothed); when the RTT climbs above the tolerance, queues are building at the endpoint
 * and the limit shrinks in proportion.
 *
 * Why not AIMD: AIMD learns only from errors, so it grows until the endpoint's queues overflow and
 * then halves; on a real network latency is the signal that arrives first, and it costs nothing.
 * Errors still count: a 5xx, a reset or a timeout shrinks the limit a little (×0.9, once per round
 * trip and at most once a second, never below the floor). A 429 is about the request rate, not concurrency: the throttle
 * control handles it.
 *
 * The limit does not grow when it is not the bottleneck: when fewer than half the admitted slots
 * are in use (the source is slower than the sender), or when senders wait for the rate limiter's
 * tokens (the rate binds; more batches in flight would only wait longer). On loopback at 50 req/s
 * it therefore stays where it starts; at 150 ms it settles near 50 × 0.15 ≈ 8 (Little's law).
 */
export interface ConcurrencyLimit {
  /** Waits for room for one more batch under the current limit. */
  readonly admit: Effect.Effect<void>
  /** Gives the room back. */
  readonly release: Effect.Effect<void>
  /** Completes once every batch admitted has been released. */
  readonly idle: Effect.Effect<void>
  /** The current limit (whole batches). */
  readonly limit: () => number
  /** The highest limit reached. */
  readonly peak: () => number
  /** Batches admitted and not released. */
  readonly admitted: () => number
  /**
   * An answer came back after `rttMillis`. `inUse`: admitted batches not waiting for a rate token;
   * `rateBound`: some sender waits for one.
   */
  readonly answered: (rttMillis: number, inUse: number, rateBound: boolean) => Effect.Effect<void>
  /** A 5xx, reset or timeout of an attempt sent at `sentAtMillis`; `nowMillis` is now. */
  readonly failed: (sentAtMillis: number, nowMillis: number) => Effect.Effect<void>
}

export const makeConcurrencyLimit = (settings: ConcurrencySettings): Effect.Effect<ConcurrencyLimit> =>
  Effect.gen(function* () {
    const { minInFlight: floor, maxInFlight: ceiling } = settings
    const clamp = (value: number) => Math.max(floor, Math.min(ceiling, value))
    let estimate = clamp(INITIAL_LIMIT)
    let peak = Math.floor(estimate)
    const slots = yield* Semaphore.make(Math.floor(estimate))
    let admitted = 0
    let idleWaiters: Array<Deferred.Deferred<void>> = []
    let longRtt: number | undefined
    /** Failures of attempts sent before this time were already answered by a shrink. */
    let lastShrinkAt = Number.NEGATIVE_INFINITY

    const setEstimate = (value: number) => {
      const before = Math.floor(estimate)
      estimate = clamp(value)
      const after = Math.floor(estimate)
      peak = Math.max(peak, after)
      return after === before ? Effect.void : Semaphore.resize(slots, after)
    }

    return {
      admit: Effect.uninterruptibleMask((restore) =>
        restore(slots.take(1)).pipe(
          Effect.andThen(
            Effect.sync(() => {
              admitted++
            })
          )
        )
      ),
      release: Effect.suspend(() => {
        admitted--
        if (admitted === 0) {
          const waiters = idleWaiters
          idleWaiters = []
          for (const waiter of waiters) Deferred.doneUnsafe(waiter, Effect.void)
        }
        return slots.release(1).pipe(Effect.asVoid)
      }),
      idle: Effect.suspend(() => {
        if (admitted === 0) return Effect.void
        const waiter = Deferred.makeUnsafe<void>()
        idleWaiters.push(waiter)
        return Deferred.await(waiter)
      }),
      limit: () => Math.floor(estimate),
      peak: () => peak,
      admitted: () => admitted,
      answered: (rtt, inUse, rateBound) =>
        Effect.suspend(() => {
          const sample = Math.max(rtt, 1)
          longRtt = longRtt === undefined ? sample : longRtt + (sample - longRtt) * (2 / (LONG_RTT_WINDOW + 1))
          // The RTT fell well below its long-run average (a faster endpoint, a shorter path): let
          // the average catch up faster than its window would.
          if (longRtt / sample > 2) longRtt *= 0.95
          // App-limited: the limit is not what holds the run back, so the sample says nothing of it.
          if (inUse < estimate / 2) return Effect.void
          const gradient = Math.max(0.5, Math.min(1, (RTT_TOLERANCE * longRtt) / sample))
          const target = estimate * gradient + Math.sqrt(estimate)
          let next = estimate * (1 - SMOOTHING) + target * SMOOTHING
          if (rateBound) next = Math.min(next, estimate)
          return setEstimate(next)
        }),
      failed: (sentAt, now) =>
        Effect.suspend(() => {
          // One shrink per round trip: the failures of attempts already in flight at a shrink are
          // the same news. And one a second at most: faults that come at random (a 5xx in five)
          // are not a queue at the endpoint, and the RTT gradient catches a real overload anyway.
          if (sentAt < lastShrinkAt || now - lastShrinkAt < FAILURE_BACKOFF_GAP_MILLIS) return Effect.void
          lastShrinkAt = now
          return setEstimate(estimate * FAILURE_BACKOFF)
        })
    }
  })

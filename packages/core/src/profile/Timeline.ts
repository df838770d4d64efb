import type { ProgressSnapshot } from "../report/Progress.ts"
import type { TimelinePoint } from "../report/RunProfile.ts"

/** Points a timeline keeps at most. */
export const MAX_TIMELINE_POINTS = 240
/** The spacing a timeline starts with: snapshots closer than this to the last point kept are passed over. */
const FIRST_SPACING_MILLIS = 50

/** A point before it is placed on the run's clock: `at` is epoch milliseconds. */
interface TakenPoint extends Omit<TimelinePoint, "atMillis"> {
  readonly at: number
}

const pointOf = (snapshot: ProgressSnapshot, at: number): TakenPoint => ({
  at,
  rowsRead: snapshot.rowsRead,
  messagesAccepted: snapshot.messagesAccepted,
  inFlight: snapshot.batchesInFlight,
  retries: snapshot.retries,
  throttled: snapshot.throttled ?? 0,
  queued: snapshot.messagesQueued
})

/**
 * A run's progress over time, sampled from its progress snapshots in bounded memory: points at
 * least `spacing` apart; when MAX_TIMELINE_POINTS are taken, every other one is dropped and the
 * spacing doubles, so the points stay spread evenly over the run, however long. The last snapshot
 * is always the last point.
 */
export class Timeline {
  #points: Array<TakenPoint> = []
  #spacing = FIRST_SPACING_MILLIS
  #latest: TakenPoint | undefined = undefined

  observe(snapshot: ProgressSnapshot, nowMillis: number): void {
    const point = pointOf(snapshot, nowMillis)
    this.#latest = point
    const last = this.#points.at(-1)
    if (last !== undefined && nowMillis - last.at < this.#spacing) return
    if (this.#points.length >= MAX_TIMELINE_POINTS) {
      const kept = this.#points.filter((_, index) => index % 2 === 0)
      // The gap the kept points have now (snapshots may come further apart than the spacing asked).
      const gap = (kept.at(-1)!.at - kept[0]!.at) / Math.max(1, kept.length - 1)
      this.#points = kept
      this.#spacing = Math.max(this.#spacing * 2, gap)
      if (nowMillis - kept.at(-1)!.at < this.#spacing) return
    }
    this.#points.push(point)
  }

  /** The points, placed on the run's clock (milliseconds since `startedAtMillis`). */
  points(startedAtMillis: number): ReadonlyArray<TimelinePoint> {
    const points = [...this.#points]
    if (this.#latest !== undefined && points.at(-1) !== this.#latest) {
      if (points.length >= MAX_TIMELINE_POINTS) points.pop()
      points.push(this.#latest)
    }
    return points.map(({ at, ...counts }) => ({ atMillis: Math.max(0, at - startedAtMillis), ...counts }))
  }
}

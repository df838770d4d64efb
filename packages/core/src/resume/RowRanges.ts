/** Rows `from` to `to`, both included (1-based row numbers). */
export type RowRange = readonly [from: number, to: number]

/**
 * Most ranges a checkpoint or a report holds. Past it, the two ranges with the smallest gap between
 * them are merged: a range may then cover a few rows that were delivered (a resume sends them again,
 * under the same messageIds, which Segment deduplicates), never the other way round.
 */
export const MAX_ROW_RANGES = 1_000

/**
 * A set of rows kept as sorted, disjoint, non-adjacent ranges, bounded in size (see
 * `MAX_ROW_RANGES`). Widening on overflow keeps every row that was added: the set only grows.
 */
export class RowRangeSet {
  private ranges: Array<[number, number]> = []

  constructor(
    initial: ReadonlyArray<RowRange> = [],
    private readonly maxRanges: number = MAX_ROW_RANGES
  ) {
    if (maxRanges < 1) throw new RangeError("maxRanges must be at least 1")
    for (const [from, to] of initial) this.add(from, to)
  }

  get size(): number {
    return this.ranges.length
  }

  /** Adds rows `from`..`to`. */
  add(from: number, to: number): void {
    if (!(from <= to)) return
    const ranges = this.ranges
    // The common case: rows arrive in order, so the new range extends or follows the last one.
    const last = ranges[ranges.length - 1]
    if (last === undefined || from > last[1] + 1) {
      ranges.push([from, to])
    } else if (from >= last[0]) {
      last[1] = Math.max(last[1], to)
    } else {
      // Out of order: insert, then merge whatever now touches.
      const i = this.firstEndingAtOrAfter(from - 1)
      const merged: [number, number] = [from, to]
      let j = i
      while (j < ranges.length && ranges[j]![0] <= to + 1) {
        merged[0] = Math.min(merged[0], ranges[j]![0])
        merged[1] = Math.max(merged[1], ranges[j]![1])
        j++
      }
      ranges.splice(i, j - i, merged)
    }
    if (ranges.length > this.maxRanges) this.mergeClosest()
  }

  /** Adds the rows of sorted or unsorted row numbers, merging runs of consecutive rows. */
  addRows(rows: Iterable<number>): void {
    const sorted = [...rows].sort((a, b) => a - b)
    let start: number | undefined
    let end = 0
    for (const row of sorted) {
      if (start !== undefined && row <= end + 1) {
        end = Math.max(end, row)
        continue
      }
      if (start !== undefined) this.add(start, end)
      start = row
      end = row
    }
    if (start !== undefined) this.add(start, end)
  }

  /** Whether `row` is in the set. O(log n). */
  has(row: number): boolean {
    const i = this.firstEndingAtOrAfter(row)
    const range = this.ranges[i]
    return range !== undefined && range[0] <= row
  }

  /** Rows in the set. */
  count(): number {
    let total = 0
    for (const [from, to] of this.ranges) total += to - from + 1
    return total
  }

  /** The ranges, cut to rows in `from`..`to` (both included). */
  within(from: number, to: number): Array<RowRange> {
    const out: Array<RowRange> = []
    for (const [a, b] of this.ranges) {
      const lo = Math.max(a, from)
      const hi = Math.min(b, to)
      if (lo <= hi) out.push([lo, hi])
    }
    return out
  }

  toArray(): Array<RowRange> {
    return this.ranges.map(([from, to]) => [from, to] as const)
  }

  /** Index of the first range whose end is at or after `row` (binary search). */
  private firstEndingAtOrAfter(row: number): number {
    let lo = 0
    let hi = this.ranges.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.ranges[mid]![1] < row) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private mergeClosest(): void {
    const ranges = this.ranges
    while (ranges.length > this.maxRanges) {
      let best = 0
      let bestGap = Number.POSITIVE_INFINITY
      for (let i = 0; i + 1 < ranges.length; i++) {
        const gap = ranges[i + 1]![0] - ranges[i]![1]
        if (gap < bestGap) {
          bestGap = gap
          best = i
        }
      }
      ranges.splice(best, 2, [ranges[best]![0], ranges[best + 1]![1]])
    }
  }
}

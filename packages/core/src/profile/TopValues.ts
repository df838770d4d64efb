/** Values longer than this are cut (and counted as their cut form). */
export const MAX_VALUE_CHARS = 64

/** A value as a top-k keeps it: at most MAX_VALUE_CHARS characters, never half a surrogate pair. */
export const cutValue = (value: string): string => {
  if (value.length <= MAX_VALUE_CHARS) return value
  const cut = value.slice(0, MAX_VALUE_CHARS)
  const last = cut.charCodeAt(MAX_VALUE_CHARS - 1)
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut
}

/**
 * The most frequent values of a stream in bounded memory: Space-Saving (Metwally, Agrawal and
 * El Abbadi, 2005). It keeps `capacity` counters; a value seen while all are taken replaces the
 * value with the smallest count and inherits that count plus its own, so a value's count is never
 * under its true count and over it by at most the count it inherited. While no counter was ever
 * replaced (`capped` false) every count is exact.
 */
export class TopValues {
  readonly #counts = new Map<string, number>()
  #capped = false
  /** No counter is below this: counts only grow, and a replaced one is the smallest plus one. */
  #floor = 0

  constructor(readonly capacity: number) {}

  get capped(): boolean {
    return this.#capped
  }

  /** Counts `value` `weight` times (a sampled value stands for `weight` values). */
  add(value: string, weight = 1): void {
    const counts = this.#counts
    const count = counts.get(value)
    if (count !== undefined) {
      counts.set(value, count + weight)
      return
    }
    if (counts.size < this.capacity) {
      counts.set(value, weight)
      return
    }
    // The smallest counter; the oldest at the floor is usually first in the map, so the scan stops early.
    let smallest = ""
    let smallestCount = Number.POSITIVE_INFINITY
    for (const [candidate, candidateCount] of counts) {
      if (candidateCount < smallestCount) {
        smallest = candidate
        smallestCount = candidateCount
        if (candidateCount <= this.#floor) break
      }
    }
    this.#floor = smallestCount
    counts.delete(smallest)
    counts.set(value, smallestCount + weight)
    this.#capped = true
  }

  /** The `n` most frequent values, most frequent first (ties in first-seen order). */
  top(n: number): ReadonlyArray<{ readonly value: string; readonly count: number }> {
    return [...this.#counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, n)
  }
}

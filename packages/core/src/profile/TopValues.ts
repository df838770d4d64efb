/** Values longer than this are cut (and counted as their cut form). */
export const MAX_VALUE_CHARS = 64

/** A value as a top-k keeps it: at most MAX_VALUE_CHARS characters, never half a surrogate pair. */
export const cutValue = (value: string): string => {
  if (value.length <= MAX_VALUE_CHARS) return value
  const cut = value.slice(0, MAX_VALUE_CHARS)
  const last = cut.charCodeAt(MAX_VALUE_CHARS - 1)
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut
}

/** A value's counter: its weighted count and occurrences, each with what it inherited (the most it may be over by). */
interface Counter {
  count: number
  error: number
  hits: number
  hitsError: number
}

/**
 * The most frequent values of a stream in bounded memory: Space-Saving (Metwally, Agrawal and
 * El Abbadi, 2005). It keeps `capacity` counters; a value seen while all are taken replaces the
 * value with the smallest count and inherits that count plus its own, so a value's count is never
 * under its true count and over it by at most the count it inherited. While no counter was ever
 * replaced (`capped` false) every count is exact.
 *
 * `top` gives only values certainly seen at least twice (occurrences less what was inherited): a
 * value seen once, such as an id or an email address in a property, is never given out.
 */
export class TopValues {
  readonly #counters = new Map<string, Counter>()
  #capped = false
  /** No counter is below this: counts only grow, and a replaced one is the smallest plus some. */
  #floor = 0

  constructor(readonly capacity: number) {}

  get capped(): boolean {
    return this.#capped
  }

  /** Counts `value` `weight` times (a sampled value stands for `weight` values): one occurrence. */
  add(value: string, weight = 1): void {
    const counters = this.#counters
    const counter = counters.get(value)
    if (counter !== undefined) {
      counter.count += weight
      counter.hits++
      return
    }
    if (counters.size < this.capacity) {
      counters.set(value, { count: weight, error: 0, hits: 1, hitsError: 0 })
      return
    }
    // The smallest counter; the oldest at the floor is usually first in the map, so the scan stops early.
    let smallest = ""
    let least: Counter | undefined
    for (const [candidate, candidateCounter] of counters) {
      if (least === undefined || candidateCounter.count < least.count) {
        smallest = candidate
        least = candidateCounter
        if (candidateCounter.count <= this.#floor) break
      }
    }
    const replaced = least!
    this.#floor = replaced.count
    counters.delete(smallest)
    counters.set(value, { count: replaced.count + weight, error: replaced.count, hits: replaced.hits + 1, hitsError: replaced.hits })
    this.#capped = true
  }

  /** The `n` most frequent values certainly seen twice or more, most frequent first (ties in first-seen order). */
  top(n: number): ReadonlyArray<{ readonly value: string; readonly count: number }> {
    return [...this.#counters]
      .filter(([, counter]) => counter.hits - counter.hitsError >= 2)
      .map(([value, counter]) => ({ value, count: counter.count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, n)
  }
}

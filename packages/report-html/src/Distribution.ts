/**
 * What the report draws and compares for a numeric property, from the quantile points a run
 * keeps: `quantiles[i]` is the value at rank i / (n - 1). Between two points the ranks are spread
 * evenly (the distribution function is taken as linear there), so a run's share of any interval
 * can be read from its quantiles, and two runs can be put on the same bins.
 */

/** The bins of every histogram: enough to show a shape, few enough to read in a small chart. */
export const HISTOGRAM_BINS = 20

/** One bin of the common range of two runs: [lower, upper), the last one closed. */
export interface Bin {
  readonly lower: number
  readonly upper: number
}

/** The share of a run at or under `value` (its distribution function), from its quantile points. */
export const shareAtOrBelow = (quantiles: ReadonlyArray<number>, value: number): number => {
  const points = quantiles.length
  if (points === 0) return 0
  if (value < quantiles[0]!) return 0
  if (value >= quantiles[points - 1]!) return 1
  // The last point at or under the value: equal points (a value many rows share) make a step.
  let low = 0
  let high = points - 1
  while (high - low > 1) {
    const middle = (low + high) >> 1
    if (quantiles[middle]! <= value) low = middle
    else high = middle
  }
  const from = quantiles[low]!
  const to = quantiles[high]!
  const within = to > from ? (value - from) / (to - from) : 0
  return (low + within) / (points - 1)
}

/** The share of a run under `value`, not counting rows at it (the left limit of `shareAtOrBelow`). */
export const shareBelow = (quantiles: ReadonlyArray<number>, value: number): number => {
  const points = quantiles.length
  if (points === 0 || value <= quantiles[0]!) return 0
  if (value > quantiles[points - 1]!) return 1
  // The first point at or over the value: the one before it is under it.
  let low = 0
  let high = points - 1
  while (high - low > 1) {
    const middle = (low + high) >> 1
    if (quantiles[middle]! >= value) high = middle
    else low = middle
  }
  const from = quantiles[low]!
  const to = quantiles[high]!
  return (low + (value - from) / (to - from)) / (points - 1)
}

/** The value at a rank between 0 and 1, from the quantile points. */
export const valueAtRank = (quantiles: ReadonlyArray<number>, rank: number): number => {
  if (quantiles.length === 0) return Number.NaN
  const position = Math.min(Math.max(rank, 0), 1) * (quantiles.length - 1)
  const below = Math.floor(position)
  const above = Math.min(below + 1, quantiles.length - 1)
  return quantiles[below]! + (quantiles[above]! - quantiles[below]!) * (position - below)
}

/** The median: the value at rank 1/2. */
export const medianOf = (quantiles: ReadonlyArray<number>): number => valueAtRank(quantiles, 0.5)

/**
 * `HISTOGRAM_BINS` equal bins over the range of every run given: the same bins for this run and the
 * previous one, so their bars line up. A range of one value is widened by half a unit each way
 * (or half the value), so its single bar sits in the middle.
 */
export const commonBins = (runs: ReadonlyArray<ReadonlyArray<number>>): ReadonlyArray<Bin> => {
  const filled = runs.filter((quantiles) => quantiles.length > 0)
  let lower = Math.min(...filled.map((quantiles) => quantiles[0]!))
  let upper = Math.max(...filled.map((quantiles) => quantiles[quantiles.length - 1]!))
  if (filled.length === 0) {
    lower = 0
    upper = 1
  }
  if (upper === lower) {
    const half = lower === 0 ? 0.5 : Math.abs(lower) / 2
    lower -= half
    upper += half
  }
  const width = (upper - lower) / HISTOGRAM_BINS
  return Array.from({ length: HISTOGRAM_BINS }, (_, index) => ({
    lower: lower + index * width,
    upper: index === HISTOGRAM_BINS - 1 ? upper : lower + (index + 1) * width
  }))
}

/** A run's share in each bin (they add up to 1): what its histogram draws. */
export const sharesIn = (quantiles: ReadonlyArray<number>, bins: ReadonlyArray<Bin>): ReadonlyArray<number> =>
  bins.map((bin, index) => {
    if (quantiles.length === 0) return 0
    // Half-open bins; the last one is closed, so a run's maximum is in it.
    const top = index === bins.length - 1 ? 1 : shareBelow(quantiles, bin.upper)
    return Math.max(0, top - shareBelow(quantiles, bin.lower))
  })

/**
 * How far apart two runs' distributions are: the largest gap between their distribution
 * functions (the Kolmogorov–Smirnov distance), 0 for the same distribution, 1 for ranges that do
 * not meet. Both functions are linear between quantile points, so the largest gap is at one of them.
 */
export const distributionShift = (now: ReadonlyArray<number>, previous: ReadonlyArray<number>): number => {
  if (now.length === 0 || previous.length === 0) return 0
  let largest = 0
  // A value many rows share is a step: the gap is measured on both sides of it.
  for (const value of [...now, ...previous]) {
    largest = Math.max(
      largest,
      Math.abs(shareAtOrBelow(now, value) - shareAtOrBelow(previous, value)),
      Math.abs(shareBelow(now, value) - shareBelow(previous, value))
    )
  }
  return largest
}

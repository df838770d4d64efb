import { describe, expect, it } from "vitest"
import { commonBins, distributionShift, HISTOGRAM_BINS, medianOf, shareAtOrBelow, shareBelow, sharesIn, valueAtRank } from "./Distribution.ts"
import { quantilesOf, seeded } from "./test/Fixtures.ts"

const uniform = (count: number, from: number, to: number) =>
  Array.from({ length: count }, (_, index) => from + ((to - from) * index) / (count - 1))

describe("a distribution read from quantile points", () => {
  it("gives each of equal bins an equal share of evenly spread values", () => {
    const quantiles = quantilesOf(uniform(10_001, 0, 1))
    const shares = sharesIn(quantiles, commonBins([quantiles]))
    expect(shares).toHaveLength(HISTOGRAM_BINS)
    for (const share of shares) expect(share).toBeCloseTo(1 / HISTOGRAM_BINS, 3)
  })

  it("puts each bin's share within a point of the data's own share, whatever the shape", () => {
    const random = seeded(7)
    // Skewed: most values low, a long tail.
    const values = Array.from({ length: 20_000 }, () => random() ** 3 * 100)
    const quantiles = quantilesOf(values)
    const bins = commonBins([quantiles])
    const shares = sharesIn(quantiles, bins)
    expect(shares.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 9)
    bins.forEach((bin, index) => {
      const last = index === bins.length - 1
      const actual = values.filter((value) => value >= bin.lower && (last ? value <= bin.upper : value < bin.upper)).length / values.length
      expect(Math.abs(shares[index]! - actual)).toBeLessThan(0.01)
    })
  })

  it("keeps a value many rows share in one bin (a step, not a slope)", () => {
    const values = [...Array.from({ length: 700 }, () => 5), ...uniform(300, 0, 10)]
    const quantiles = quantilesOf(values)
    expect(shareAtOrBelow(quantiles, 5) - shareBelow(quantiles, 5)).toBeGreaterThan(0.6)
    const bins = commonBins([quantiles])
    const shares = sharesIn(quantiles, bins)
    const binOfFive = bins.findIndex((bin) => bin.lower <= 5 && 5 < bin.upper)
    expect(shares[binOfFive]).toBeGreaterThan(0.7)
  })

  it("draws one value as a single bar in the middle of a widened range", () => {
    const quantiles = quantilesOf([3, 3, 3])
    const bins = commonBins([quantiles])
    expect(bins[0]!.lower).toBeLessThan(3)
    expect(bins[bins.length - 1]!.upper).toBeGreaterThan(3)
    const shares = sharesIn(quantiles, bins)
    expect(shares.filter((share) => share > 0)).toEqual([1])
  })

  it("puts two runs on the same bins over both ranges", () => {
    const bins = commonBins([quantilesOf(uniform(100, 0, 1)), quantilesOf(uniform(100, 2, 5))])
    expect(bins[0]!.lower).toBe(0)
    expect(bins[bins.length - 1]!.upper).toBe(5)
  })

  it("reads the median and other ranks", () => {
    const values = uniform(1001, 10, 20)
    expect(medianOf(quantilesOf(values))).toBeCloseTo(15, 9)
    expect(valueAtRank(quantilesOf(values), 0.25)).toBeCloseTo(12.5, 9)
  })

  it("measures the shift between two runs: none for the same data, all for ranges apart, the moved share between", () => {
    const base = quantilesOf(uniform(1001, 0, 1))
    expect(distributionShift(base, base)).toBe(0)
    expect(distributionShift(base, quantilesOf(uniform(1001, 2, 3)))).toBe(1)
    // Moved right by a quarter of the range: a quarter of the values crossed any point.
    expect(distributionShift(quantilesOf(uniform(1001, 0.25, 1.25)), base)).toBeCloseTo(0.25, 2)
  })
})

import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { RowRangeSet } from "./RowRanges.ts"

describe("RowRangeSet", () => {
  it("merges touching and overlapping ranges, in or out of order", () => {
    const set = new RowRangeSet()
    set.add(1, 100)
    set.add(101, 200)
    set.add(301, 400)
    set.add(150, 250)
    set.add(260, 270)
    expect(set.toArray()).toEqual([
      [1, 250],
      [260, 270],
      [301, 400]
    ])
    set.add(251, 259)
    expect(set.toArray()).toEqual([
      [1, 270],
      [301, 400]
    ])
    expect(set.count()).toBe(370)
  })

  it("turns row numbers into runs, and answers membership", () => {
    const set = new RowRangeSet()
    set.addRows([7, 3, 4, 5, 10, 11, 5])
    expect(set.toArray()).toEqual([
      [3, 5],
      [7, 7],
      [10, 11]
    ])
    expect([2, 3, 5, 6, 7, 9, 11, 12].map((row) => set.has(row))).toEqual([false, true, true, false, true, false, true, false])
  })

  it("cuts to a window", () => {
    const set = new RowRangeSet([
      [1, 10],
      [20, 30],
      [40, 50]
    ])
    expect(set.within(5, 25)).toEqual([
      [5, 10],
      [20, 25]
    ])
  })

  it("stays within its bound by widening over the smallest gaps, never losing a row", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 2_000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 20 }), (rows, max) => {
        const set = new RowRangeSet([], max)
        for (const row of rows) set.add(row, row)
        expect(set.size).toBeLessThanOrEqual(max)
        for (const row of rows) expect(set.has(row)).toBe(true)
        const ranges = set.toArray()
        for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1] + 1)
      })
    )
  })
})

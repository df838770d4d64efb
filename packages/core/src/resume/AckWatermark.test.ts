import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { AckWatermark } from "./AckWatermark.ts"

describe("AckWatermark", () => {
  it("moves only over a contiguous prefix of settled batches", () => {
    const marks = new AckWatermark()
    const a = { firstRow: 1, lastRow: 10 }
    const b = { firstRow: 11, lastRow: 20 }
    const c = { firstRow: 21, lastRow: 30 }
    for (const batch of [a, b, c]) marks.register(batch)
    expect(marks.watermark(30, 0, 31)).toBe(0)
    marks.settle(b, "final")
    expect(marks.watermark(30, 0, 31)).toBe(0)
    marks.settle(a, "final")
    expect(marks.watermark(30, 0, 31)).toBe(20)
    marks.settle(c, "failed")
    // An undelivered batch does not hold the watermark: its rows are listed for the next run.
    expect(marks.watermark(30, 0, 31)).toBe(30)
    expect(marks.undelivered(30)).toEqual([[21, 30]])
  })

  it("passes a failed batch only once every batch before it is settled, and lists it", () => {
    const marks = new AckWatermark()
    const a = { firstRow: 1, lastRow: 100 }
    const b = { firstRow: 101, lastRow: 200 }
    const c = { firstRow: 201, lastRow: 300 }
    for (const batch of [a, b, c]) marks.register(batch)
    marks.settle(a, "failed")
    marks.settle(c, "final")
    expect(marks.watermark(300, 0, 301)).toBe(100)
    expect(marks.undelivered(100)).toEqual([[1, 100]])
    marks.settle(b, "failed")
    expect(marks.watermark(300, 0, 301)).toBe(300)
    expect(marks.undelivered(300)).toEqual([[1, 200]])
    // Rows that never reached a batch (queued when the run stopped) are listed too.
    marks.abandon([301, 302, 303, 305])
    expect(marks.allUndelivered()).toEqual([
      [1, 200],
      [301, 303],
      [305, 305]
    ])
    expect(marks.undelivered(302)).toEqual([
      [1, 200],
      [301, 302]
    ])
  })

  it("stays below messages that are still queued", () => {
    const marks = new AckWatermark()
    expect(marks.watermark(50, 40, 11)).toBe(10)
    const batch = { firstRow: 11, lastRow: 30 }
    marks.register(batch)
    marks.settle(batch, "final")
    // A row's second message may still be queued: the last batched row is not claimed.
    expect(marks.watermark(50, 20, 30)).toBe(29)
    expect(marks.watermark(50, 0, 51)).toBe(50)
  })

  it("never claims a row that is neither acknowledged nor listed undelivered, whatever the order of acks", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 40 }),
        fc.func(fc.integer({ min: 0, max: 1_000 })),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (sizes, order, failures) => {
          const marks = new AckWatermark()
          const batches = sizes.map((size, i) => {
            const firstRow = sizes.slice(0, i).reduce((sum, n) => sum + n, 0) + 1
            return { firstRow, lastRow: firstRow + size - 1 }
          })
          for (const batch of batches) marks.register(batch)
          const last = batches[batches.length - 1]!.lastRow
          const acked = new Set<number>()
          const settleOrder = batches.map((batch, i) => ({ batch, i })).sort((x, y) => order(x.i) - order(y.i))
          for (const { batch, i } of settleOrder) {
            const failed = failures[i]!
            marks.settle(batch, failed ? "failed" : "final")
            if (!failed) for (let row = batch.firstRow; row <= batch.lastRow; row++) acked.add(row)
            const mark = marks.watermark(last, 0, last + 1)
            const listed = marks.undelivered(mark)
            const isListed = (row: number) => listed.some(([from, to]) => from <= row && row <= to)
            for (let row = 1; row <= mark; row++) expect(acked.has(row) || isListed(row)).toBe(true)
            for (const [from, to] of listed) for (let row = from; row <= to; row++) expect(acked.has(row)).toBe(false)
          }
          // Every batch settled, delivered or not: nothing holds the watermark back.
          expect(marks.watermark(last, 0, last + 1)).toBe(last)
        }
      )
    )
  })
})

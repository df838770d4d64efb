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
    expect(marks.watermark(30, 0, 31)).toBe(20)
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

  it("never claims a row of a batch that is not acknowledged, whatever the order of acks", () => {
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
            for (let row = 1; row <= mark; row++) expect(acked.has(row)).toBe(true)
          }
        }
      )
    )
  })
})

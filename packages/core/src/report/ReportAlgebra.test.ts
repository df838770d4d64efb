import { describe, expect, it } from "vitest"
import { combineReports, combineSending, emptySums, outcomeOf, type ReportSums } from "./ReportAlgebra.ts"

const sums = (n: number, reject?: string): ReportSums => ({
  rows: { read: n, mapped: n - 1, rejected: 1, skipped: 0 },
  messages: { built: n - 1, sent: n - 1, accepted: n - 2, refused: 1, undelivered: 0 },
  batches: { accepted: 1, refused: 1, undelivered: 0, planned: 0, requests: 3, retries: 1 },
  bytesSent: 10 * n,
  rejects: {
    total: 1,
    byStage: { source: 0, validation: 1, "batch-refused": 0, undelivered: 0 },
    sample: reject === undefined ? [] : [{ row: n, stage: "validation", reason: reject }]
  }
})

describe("outcomeOf", () => {
  const clean = { refused: 0, undelivered: 0 }
  it("aborts on a fatal error or rows never read, whatever was delivered", () => {
    expect(outcomeOf({ messages: clean, fatal: { kind: "auth", message: "no" } })).toBe("aborted")
    expect(outcomeOf({ messages: clean, unreadRows: 3 })).toBe("aborted")
  })
  it("is incomplete when a message was refused or undelivered, completed otherwise", () => {
    expect(outcomeOf({ messages: { refused: 1, undelivered: 0 } })).toBe("incomplete")
    expect(outcomeOf({ messages: { refused: 0, undelivered: 2 } })).toBe("incomplete")
    expect(outcomeOf({ messages: clean, unreadRows: 0 })).toBe("completed")
  })
})

describe("combineReports", () => {
  it("is the empty sums for no report", () => {
    expect(combineReports([], 5)).toEqual(emptySums())
  })

  it("adds every count and keeps the first rejects in report order, up to the sample size", () => {
    const combined = combineReports([sums(10, "a"), sums(20, "b"), sums(30, "c")], 2)
    expect(combined.rows).toEqual({ read: 60, mapped: 57, rejected: 3, skipped: 0 })
    expect(combined.messages).toEqual({ built: 57, sent: 57, accepted: 54, refused: 3, undelivered: 0 })
    expect(combined.batches).toEqual({ accepted: 3, refused: 3, undelivered: 0, planned: 0, requests: 9, retries: 3 })
    expect(combined.bytesSent).toBe(600)
    expect(combined.rejects.total).toBe(3)
    expect(combined.rejects.byStage.validation).toBe(3)
    expect(combined.rejects.sample.map((reject) => reject.reason)).toEqual(["a", "b"])
  })

  it("is associative: combining parts of a table, then the parts' sums, gives the whole's sums", () => {
    const parts = [sums(5, "a"), sums(7), sums(9, "c"), sums(11, "d")]
    const whole = combineReports(parts, 3)
    const halves = combineReports([combineReports(parts.slice(0, 2), 3), combineReports(parts.slice(2), 3)], 3)
    expect(halves).toEqual(whole)
  })

  it("counts what an older report lacks as 0", () => {
    const old = sums(4) as any
    delete old.rows.skipped
    delete old.batches.planned
    delete old.rejects.byStage.undelivered
    expect(combineReports([old], 1).rows.skipped).toBe(0)
    expect(combineReports([old], 1).batches.planned).toBe(0)
    expect(combineReports([old], 1).rejects.byStage.undelivered).toBe(0)
  })
})

describe("combineSending", () => {
  it("sums 429s, their waits and the cuts; keeps the highest limits and the lowest rate; skips pipelines that sent nothing", () => {
    const first = { throttled: 2, throttleWaitMillis: 2_000, concurrencyLimit: 4, concurrencyLimitPeak: 6, rateLimit: 50, rateCuts: 0 }
    const second = { throttled: 3, throttleWaitMillis: 1_500, concurrencyLimit: 8, concurrencyLimitPeak: 9, rateLimit: 18.8, rateCuts: 1 }
    expect(combineSending([first, undefined, second])).toEqual({
      throttled: 5,
      throttleWaitMillis: 3_500,
      concurrencyLimit: 8,
      concurrencyLimitPeak: 9,
      rateLimit: 18.8,
      rateCuts: 1
    })
    const { rateLimit: _none, ...unlimited } = first
    expect(combineSending([unlimited, unlimited])).toEqual({ ...unlimited, throttled: 4, throttleWaitMillis: 4_000 })
    expect(combineSending([undefined])).toBeUndefined()
  })
})

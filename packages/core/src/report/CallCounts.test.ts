import { describe, expect, it } from "vitest"
import { callCountsText } from "./CallCounts.ts"

describe("the messages of each call type, as a person reads them", () => {
  it("lists the call types a run built, in the order track, identify, group, with thousands separated", () => {
    expect(callCountsText({ identify: 1200, group: 1200, track: 0 })).toBe("1,200 identify, 1,200 group")
    expect(callCountsText({ identify: 3, group: 2, track: 1_000_000 })).toBe("1,000,000 track, 3 identify, 2 group")
  })

  it("says nothing for a run of one call type, or with no counts", () => {
    expect(callCountsText({ identify: 0, group: 0, track: 500 })).toBeUndefined()
    expect(callCountsText({ identify: 0, group: 0, track: 0 })).toBeUndefined()
    expect(callCountsText(undefined)).toBeUndefined()
  })

  it("formats the numbers as asked", () => {
    expect(callCountsText({ identify: 1200, group: 1100, track: 0 }, (n) => `<${n}>`)).toBe("<1200> identify, <1100> group")
  })
})

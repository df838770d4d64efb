import { describe, expect, it } from "vitest"
import { callCountsText } from "./CallCounts.ts"

describe("the messages of each call type, as a person reads them", () => {
  it("lists the call types with messages in the order a row's calls go, thousands separated", () => {
    expect(callCountsText({ identify: 1200, group: 1200, track: 0 })).toBe("1,200 identify, 1,200 group")
    expect(callCountsText({ identify: 3, group: 2, track: 1_000_000 })).toBe("3 identify, 2 group, 1,000,000 track")
    expect(callCountsText({ identify: 0, group: 40, track: 0 })).toBe("40 group")
  })

  it("says nothing with no message, no counts, or one call type when only mixed runs are asked for", () => {
    expect(callCountsText({ identify: 0, group: 0, track: 0 })).toBeUndefined()
    expect(callCountsText(undefined)).toBeUndefined()
    expect(callCountsText({ identify: 0, group: 0, track: 500 }, { mixedOnly: true })).toBeUndefined()
    expect(callCountsText({ identify: 1, group: 0, track: 500 }, { mixedOnly: true })).toBe("1 identify, 500 track")
  })

  it("formats the numbers as asked", () => {
    expect(callCountsText({ identify: 1200, group: 1100, track: 0 }, { format: String })).toBe("1200 identify, 1100 group")
  })
})

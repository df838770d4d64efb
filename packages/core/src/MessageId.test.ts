import { describe, expect, it } from "vitest"
import { SegmentLimits } from "./Limits.ts"
import { deterministicMessageId } from "./MessageId.ts"

describe("deterministicMessageId", () => {
  it("is the same for the same namespace and content, and short enough for Segment", () => {
    const id = deterministicMessageId("track:Sales Prediction", '{"userId":"1"}')
    expect(id).toBe(deterministicMessageId("track:Sales Prediction", '{"userId":"1"}'))
    expect(id).toMatch(/^tablecast-[0-9a-f]{32}$/)
    expect(id.length).toBeLessThan(SegmentLimits.maxMessageIdLength)
  })

  it("differs when the namespace or the content differs", () => {
    const base = deterministicMessageId("a", "x")
    expect(deterministicMessageId("b", "x")).not.toBe(base)
    expect(deterministicMessageId("a", "y")).not.toBe(base)
    expect(deterministicMessageId("a\nb", "c")).not.toBe(deterministicMessageId("a", "b\nc"))
  })
})

import { describe, expect, it } from "vitest"
import { SegmentApiLimits, SinkFaults, SinkOptions, updateFaults } from "./SinkOptions.ts"

describe("SinkOptions", () => {
  it("defaults to loopback, a free port, Segment's limits and no faults", () => {
    const options = SinkOptions.parse({})
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 0,
      maxBodyBytes: SegmentApiLimits.maxBodyBytes,
      maxMessageBytes: SegmentApiLimits.maxMessageBytes,
      maxBatchCount: 2_500,
      trackMessageIds: true,
      keepMessages: 0,
      throttleShare: 0,
      down: false
    })
  })

  it("refuses fault shares that add up to more than 1, and unknown options", () => {
    const result = SinkOptions.safeParse({ throttleShare: 0.6, dropShare: 0.6 })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toMatch(/add up to 1 at most/)
    expect(SinkOptions.safeParse({ throttle: 0.1 }).success).toBe(false)
    expect(SinkOptions.safeParse({ dropShare: 1.5 }).success).toBe(false)
  })

  it("updates faults field by field, keeping the shares checked", () => {
    const faults = SinkFaults.parse({ throttleShare: 0.5 })
    expect(updateFaults(faults, { down: true })).toMatchObject({ throttleShare: 0.5, down: true })
    expect(() => updateFaults(faults, { serverErrorShare: 0.6 })).toThrow(/add up to 1 at most/)
  })
})

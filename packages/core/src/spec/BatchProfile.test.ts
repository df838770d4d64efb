import { describe, expect, it } from "vitest"
import { PipelineOptions } from "./PipelineOptions.ts"

describe("batch profiles", () => {
  it("bulk by default: batches fill toward 475,000 bytes, up to Segment's 2,500 messages, flushed 0.5 s after the last flush", () => {
    expect(PipelineOptions.parse({})).toMatchObject({ batchProfile: "bulk", batchCount: 2_500, batchBytes: 475_000, flushIntervalMillis: 500 })
  })

  it("small: the seed's 100 messages per batch, 0.5 s", () => {
    expect(PipelineOptions.parse({ batchProfile: "small" })).toMatchObject({
      batchProfile: "small",
      batchCount: 100,
      batchBytes: 475_000,
      flushIntervalMillis: 500
    })
  })

  it("an explicit count, size or interval wins over the profile", () => {
    expect(PipelineOptions.parse({ batchProfile: "small", batchCount: 250 })).toMatchObject({ batchCount: 250, flushIntervalMillis: 500 })
    expect(PipelineOptions.parse({ batchProfile: "small", flushIntervalMillis: 2_000, batchBytes: 100_000 })).toMatchObject({
      batchCount: 100,
      batchBytes: 100_000,
      flushIntervalMillis: 2_000
    })
    expect(PipelineOptions.parse({ batchProfile: "bulk", batchCount: 100 }).batchCount).toBe(100)
  })

  it("names the profiles there are when given another", () => {
    const result = PipelineOptions.safeParse({ batchProfile: "tiny" })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(["batchProfile"])
    expect(result.error?.issues[0]?.message).toMatch(/"bulk"\|"small"/)
  })

  it("parses its own output to the same options (the edge re-parses a chunk's options)", () => {
    const once = PipelineOptions.parse({ batchProfile: "small", maxInFlight: 2 })
    expect(PipelineOptions.parse(once)).toEqual(once)
  })
})

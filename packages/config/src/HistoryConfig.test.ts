import { describe, expect, it } from "vitest"
import { ConfigFile } from "./ConfigSchema.ts"

describe("a config file's history", () => {
  it("is optional, a boolean, or bounds on runs and days", () => {
    expect(ConfigFile.parse({ syncs: {} }).history).toBeUndefined()
    expect(ConfigFile.parse({ history: false, syncs: {} }).history).toBe(false)
    expect(ConfigFile.parse({ history: { maxRuns: 50, maxAgeDays: 7 }, syncs: {} }).history).toEqual({ maxRuns: 50, maxAgeDays: 7 })
  })
  it("refuses a bound of zero and an unknown field, naming it", () => {
    const zero = ConfigFile.safeParse({ history: { maxRuns: 0 }, syncs: {} })
    expect(zero.success).toBe(false)
    const unknown = ConfigFile.safeParse({ history: { keep: 5 }, syncs: {} })
    expect(unknown.success).toBe(false)
    expect(JSON.stringify(unknown.error?.issues)).toContain("history")
  })
})

import { describe, expect, it } from "vitest"
import { flagsInHelp, noRateLimit, readCliFlags, seedSettings, toldLimit } from "./CliFlags.ts"

const today = flagsInHelp("  --batch-count=<value>  Messages per batch\n  --max-in-flight=<value>  Batches posted at once")
const contract = flagsInHelp("--batch-profile --min-in-flight --max-in-flight --max-rps --batch-count")

describe("the contenders' flags", () => {
  it("reads the flags the built CLI lists", () => {
    const flags = readCliFlags()
    expect(flags.has("--endpoint")).toBe(true)
    expect(flags.has("--max-in-flight")).toBe(true)
  })

  it("gives the seed settings with the contract's flags, or today's equivalents without them", () => {
    expect(seedSettings(contract)).toEqual({
      flags: ["--batch-profile", "small", "--min-in-flight", "4", "--max-in-flight", "4", "--max-rps", "0"],
      missing: []
    })
    expect(seedSettings(today)).toEqual({
      flags: ["--batch-count", "100", "--max-in-flight", "4"],
      missing: ["--batch-profile", "--min-in-flight", "--max-rps"]
    })
  })

  it("marks the told-limit contender unavailable without --max-rps, and turns the limit off only where there is one", () => {
    expect(toldLimit(contract, 20).flags).toEqual(["--max-rps", "20"])
    expect(toldLimit(today, 20).unavailable).toBe("n/a (flag missing: --max-rps)")
    expect(noRateLimit(contract).flags).toEqual(["--max-rps", "0"])
    expect(noRateLimit(today).flags).toEqual([])
  })
})

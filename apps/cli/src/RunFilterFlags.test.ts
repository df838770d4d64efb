import { ConfigError } from "@tablecast/config"
import { describe, expect, it } from "vitest"
import { instantOf, runFilterOf } from "./RunFilterFlags.ts"

const now = new Date("2026-12-07T16:00:00.000Z")

describe("instantOf", () => {
  it("reads a date, a date and time, and a time ago", () => {
    expect(instantOf("since", "2026-12-01", now).toISOString()).toBe("2026-12-01T00:00:00.000Z")
    expect(instantOf("since", "2026-12-01T08:30:00Z", now).toISOString()).toBe("2026-12-01T08:30:00.000Z")
    expect(instantOf("since", "30m", now).toISOString()).toBe("2026-12-07T15:30:00.000Z")
    expect(instantOf("since", "12h", now).toISOString()).toBe("2026-12-07T04:00:00.000Z")
    expect(instantOf("since", "7d", now).toISOString()).toBe("2026-11-30T16:00:00.000Z")
    expect(instantOf("since", "2w", now).toISOString()).toBe("2026-11-23T16:00:00.000Z")
  })

  it("refuses anything else with an error naming the flag", () => {
    for (const value of ["yesterday", "7", "7y", "2026-13-45", ""]) {
      const error = (() => {
        try {
          instantOf("until", value, now)
        } catch (caught) {
          return caught
        }
      })()
      expect(error, value).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).flag).toBe("until")
      expect((error as ConfigError).message).toMatch(/^--until /)
    }
  })
})

describe("runFilterOf", () => {
  it("leaves out what the flags leave out", () => {
    expect(runFilterOf({}, now)).toEqual({})
    expect(runFilterOf({ sync: "churn", outcome: "aborted", limit: 5, since: "1d" }, now)).toEqual({
      sync: "churn",
      outcome: "aborted",
      limit: 5,
      since: new Date("2026-12-06T16:00:00.000Z")
    })
  })
})

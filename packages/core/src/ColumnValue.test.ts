import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { convertValue, EMPTY, toIsoTimestamp } from "./ColumnValue.ts"

const value = (raw: unknown, type: Parameters<typeof convertValue>[1]) => {
  const converted = convertValue(raw, type)
  if (converted === EMPTY) return "EMPTY"
  return converted.ok ? converted.value : `ERROR: ${converted.reason}`
}

describe("convertValue", () => {
  it("auto turns exact number literals into numbers and leaves ids with leading zeros alone", () => {
    expect(value("0.734", "auto")).toBe(0.734)
    expect(value("-12", "auto")).toBe(-12)
    expect(value("007", "auto")).toBe("007")
    expect(value("1.50", "auto")).toBe("1.50")
    expect(value("12345678901234567890", "auto")).toBe("12345678901234567890")
    expect(value("champions", "auto")).toBe("champions")
    expect(value(12n, "auto")).toBe(12)
    expect(value(2n ** 60n, "auto")).toBe("1152921504606846976")
  })

  it("treats empty as EMPTY whatever the type", () => {
    for (const type of ["auto", "string", "number", "boolean", "json", "timestamp"] as const) {
      expect(value("", type)).toBe("EMPTY")
      expect(value(null, type)).toBe("EMPTY")
    }
  })

  it("converts declared types and names what does not fit", () => {
    expect(value(" 0.5 ", "number")).toBe(0.5)
    expect(value("1.50", "number")).toBe(1.5)
    expect(value("abc", "number")).toBe('ERROR: "abc" is not a number')
    expect(value("3.5", "integer")).toBe('ERROR: "3.5" is not an integer')
    expect(value("Yes", "boolean")).toBe(true)
    expect(value("0", "boolean")).toBe(false)
    expect(value("maybe", "boolean")).toMatch(/ERROR: "maybe" is not a boolean/)
    expect(value('{"a":[1,2]}', "json")).toEqual({ a: [1, 2] })
    expect(value("{oops", "json")).toBe('ERROR: "{oops" is not valid JSON')
    expect(value(42, "string")).toBe("42")
    expect(value(new Uint8Array([1]), "auto")).toMatch(/ERROR: binary/)
  })

  it("reads timestamps as UTC with milliseconds", () => {
    expect(toIsoTimestamp("2026-11-28T10:00:00Z")).toBe("2026-11-28T10:00:00.000Z")
    expect(toIsoTimestamp("2026-11-28 10:00:00")).toBe("2026-11-28T10:00:00.000Z")
    expect(toIsoTimestamp("2026-11-28T10:00:00+02:00")).toBe("2026-11-28T08:00:00.000Z")
    expect(toIsoTimestamp("2026-11-28")).toBe("2026-11-28T00:00:00.000Z")
    expect(toIsoTimestamp(1_764_324_000)).toBe("2025-11-28T10:00:00.000Z")
    expect(toIsoTimestamp(1_764_324_000_123)).toBe("2025-11-28T10:00:00.123Z")
    expect(toIsoTimestamp("yesterday")).toBeUndefined()
  })

  it("auto never changes a number's value or a string that is not a canonical number", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)), (text) => {
        const converted = value(text, "auto")
        if (typeof converted === "number") expect(String(converted)).toBe(text)
        else if (text !== "") expect(converted).toBe(text)
      })
    )
  })
})

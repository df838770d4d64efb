import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { convertValue, EMPTY, isCanonicalNumber, toIsoTimestamp } from "./ColumnValue.ts"

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

  it("knows a canonical number without converting it, as the exact rule does", () => {
    const exact = (text: string) =>
      /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text) && Number.isFinite(Number(text)) && String(Number(text)) === text
    const numberLike = fc.oneof(
      fc.double({ noNaN: true }).map(String),
      fc.integer().map(String),
      fc.string({ unit: fc.constantFrom("0", "1", "5", "9", ".", "-", "e", "E", "+"), maxLength: 22 }),
      fc
        .tuple(
          fc.boolean(),
          fc.string({ unit: fc.constantFrom("0", "1", "9"), minLength: 1, maxLength: 18 }),
          fc.string({ unit: fc.constantFrom("0", "3", "7"), maxLength: 18 })
        )
        .map(([negative, whole, fraction]) => `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`),
      fc.string()
    )
    fc.assert(
      fc.property(numberLike, (text) => {
        expect(isCanonicalNumber(text)).toBe(exact(text))
      }),
      { numRuns: 5_000 }
    )
    for (const text of ["0", "-0", "0.000001", "0.0000001", "123456789012345", "1234567890123456", "0.30000000000000004", "1e21", "1.5e-7"]) {
      expect(isCanonicalNumber(text)).toBe(exact(text))
    }
  })

  it("reads the usual timestamp shapes as Date.parse does, without it", () => {
    const pad = (value: number, width: number) => String(value).padStart(width, "0")
    const stamp = fc
      .tuple(
        fc.integer({ min: 900, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom("", ".000", ".123", ".5"),
        fc.constantFrom("T", " "),
        fc.constantFrom("", "Z", "+02:00")
      )
      .map(
        ([year, month, day, hours, minutes, seconds, fraction, separator, zone]) =>
          `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}${separator}${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${fraction}${zone}`
      )
    const inCalendar = (text: string) => {
      const [year, month, day] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))]
      return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
    }
    // As Date.parse reads it, except that an impossible date is refused rather than rolled over.
    const byDateParse = (text: string) => {
      if (!inCalendar(text)) return undefined
      const zoned = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(text) ? text.replace(" ", "T") : `${text.replace(" ", "T")}Z`
      const millis = Date.parse(zoned)
      return Number.isFinite(millis) ? new Date(millis).toISOString() : undefined
    }
    fc.assert(
      fc.property(stamp, (text) => {
        expect(toIsoTimestamp(text)).toBe(byDateParse(text))
      }),
      { numRuns: 5_000 }
    )
  })
})

describe("toIsoTimestamp, impossible dates", () => {
  it("refuses a date that is not in the calendar instead of rolling it over", () => {
    expect(toIsoTimestamp("2026-02-30")).toBeUndefined()
    expect(toIsoTimestamp("2026-02-30 10:00:00+02:00")).toBeUndefined()
    expect(toIsoTimestamp("2026-13-01T00:00:00Z")).toBeUndefined()
    expect(toIsoTimestamp("2024-02-29T00:00:00+01:00")).toBe("2024-02-28T23:00:00.000Z")
  })
})

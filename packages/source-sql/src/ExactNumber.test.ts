import { describe, expect, it } from "vitest"
import { decimalValue, exactNumber } from "./ExactNumber.ts"

describe("exactNumber", () => {
  it("gives numbers for decimals that JSON carries exactly", () => {
    expect(exactNumber("0.734")).toBe(0.734)
    expect(exactNumber("1.50")).toBe(1.5)
    expect(exactNumber("-42")).toBe(-42)
    expect(exactNumber("0.0000001")).toBe(1e-7)
    expect(exactNumber("9007199254740991")).toBe(9007199254740991)
    expect(exactNumber("100000000000000000000000")).toBe(1e23)
    expect(exactNumber("-0.000")).toBe(0)
  })

  it("refuses decimals that a double would round", () => {
    expect(exactNumber("9007199254740993")).toBeUndefined()
    expect(exactNumber("12345678901234567890")).toBeUndefined()
    expect(exactNumber("0.1000000000000000000001")).toBeUndefined()
    expect(exactNumber("3.14159265358979323846")).toBeUndefined()
    expect(exactNumber("123456789012345678900000")).toBeUndefined()
  })

  it("refuses what is not a finite decimal", () => {
    expect(exactNumber("NaN")).toBeUndefined()
    expect(exactNumber("Infinity")).toBeUndefined()
    expect(exactNumber("1e400")).toBeUndefined()
    expect(exactNumber("")).toBeUndefined()
    expect(exactNumber("12abc")).toBeUndefined()
  })
})

describe("decimalValue", () => {
  it("keeps the database's text in string mode", () => {
    expect(decimalValue("0.734", "string")).toBe("0.734")
  })

  it("falls back to the text when a number would lose digits", () => {
    expect(decimalValue("12345678901234567890", "number-if-exact")).toBe("12345678901234567890")
    expect(decimalValue("12.25", "number-if-exact")).toBe(12.25)
  })
})

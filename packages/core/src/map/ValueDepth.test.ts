import { describe, expect, it } from "vitest"
import { convertValue } from "./ColumnValue.ts"
import { MAX_VALUE_DEPTH, nestsDeeperThan, tooDeepReason } from "./ValueDepth.ts"

/** `[[[…1…]]]`, `depth` arrays deep, built without recursion. */
const nested = (depth: number): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

describe("nestsDeeperThan", () => {
  it("counts levels of arrays and objects: a scalar is 0, [[1]] is 2", () => {
    expect(nestsDeeperThan(1, 0)).toBe(false)
    expect(nestsDeeperThan("[[[", 0)).toBe(false)
    expect(nestsDeeperThan([[1]], 2)).toBe(false)
    expect(nestsDeeperThan([[1]], 1)).toBe(true)
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false)
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true)
  })

  it(`allows ${MAX_VALUE_DEPTH} levels by default and refuses ${MAX_VALUE_DEPTH + 1}`, () => {
    expect(nestsDeeperThan(nested(MAX_VALUE_DEPTH))).toBe(false)
    expect(nestsDeeperThan(nested(MAX_VALUE_DEPTH + 1))).toBe(true)
    // The deep path may be anywhere, not only the first.
    expect(nestsDeeperThan({ flat: [1, 2, 3], deep: [0, nested(MAX_VALUE_DEPTH)] })).toBe(true)
  })

  it("checks a value far deeper than any stack without overflowing", () => {
    expect(nestsDeeperThan(nested(1_000_000))).toBe(true)
    expect(() => JSON.stringify(nested(1_000_000))).toThrow(RangeError)
  })

  it("takes dates and binary data for leaves", () => {
    expect(nestsDeeperThan([new Date(0), new Uint8Array(10)], 1)).toBe(false)
  })
})

describe("convertValue refuses a value nested too deep, whatever the column's type", () => {
  const deepText = `${"[".repeat(6_000)}${"]".repeat(6_000)}`
  it("a JSON column's text", () => {
    expect(convertValue(deepText, "json")).toEqual({ ok: false, reason: tooDeepReason() })
    expect(convertValue(`${"[".repeat(64)}${"]".repeat(64)}`, "json")).toMatchObject({ ok: true })
  })
  it("a value a warehouse parsed already (a Postgres jsonb), as auto, json or string", () => {
    for (const type of ["auto", "json", "string"] as const) {
      expect(convertValue(nested(6_000), type)).toEqual({ ok: false, reason: "value nested deeper than 64 levels" })
    }
  })
})

import { describe, expect, it } from "vitest"
import { cutValue, MAX_VALUE_CHARS, TopValues } from "./TopValues.ts"

/** A stream of values with known frequencies, in a scrambled order. */
const streamOf = (frequencies: ReadonlyArray<readonly [string, number]>, seed = 7): Array<string> => {
  const values = frequencies.flatMap(([value, count]) => Array.from({ length: count }, () => value))
  let state = seed
  for (let i = values.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    const j = state % (i + 1)
    ;[values[i], values[j]] = [values[j]!, values[i]!]
  }
  return values
}

describe("TopValues", () => {
  it("counts exactly while the distinct values fit its counters", () => {
    const frequencies = [
      ["gold", 50],
      ["silver", 30],
      ["bronze", 20],
      ["none", 5]
    ] as const
    const top = new TopValues(8)
    for (const value of streamOf(frequencies)) top.add(value)
    expect(top.capped).toBe(false)
    expect(top.top(3)).toEqual(frequencies.slice(0, 3).map(([value, count]) => ({ value, count })))
  })

  it("keeps the heavy values of a long tail, capped, and never counts one below its true count", () => {
    const heavy = [
      ["a", 3_000],
      ["b", 2_000],
      ["c", 1_000]
    ] as const
    const tail = Array.from({ length: 5_000 }, (_, i) => [`tail-${i}`, 1] as const)
    const top = new TopValues(16)
    for (const value of streamOf([...heavy, ...tail])) top.add(value)
    expect(top.capped).toBe(true)
    const found = top.top(3)
    expect(found.map(({ value }) => value)).toEqual(["a", "b", "c"])
    // Space-Saving's bound: over by at most (stream length / counters).
    const bound = (6_000 + 5_000) / 16
    found.forEach(({ count }, i) => {
      expect(count).toBeGreaterThanOrEqual(heavy[i]![1])
      expect(count - heavy[i]![1]).toBeLessThanOrEqual(bound)
    })
  })

  it("never gives out a value seen only once (an id, an email address), however often the stream repeats others", () => {
    const top = new TopValues(10)
    for (let i = 0; i < 20_000; i++) top.add(`user-${i}@example.com`)
    expect(top.capped).toBe(true)
    expect(top.top(100)).toEqual([])
    const mixed = new TopValues(4)
    for (const value of ["a", "b", "a", "once", "c", "c", "c"]) mixed.add(value)
    expect(mixed.top(10)).toEqual([
      { value: "c", count: 3 },
      { value: "a", count: 2 }
    ])
  })
})

describe("cutValue", () => {
  it("cuts long values and never leaves half a surrogate pair", () => {
    expect(cutValue("short")).toBe("short")
    expect(cutValue("x".repeat(100))).toHaveLength(MAX_VALUE_CHARS)
    const emoji = `${"x".repeat(MAX_VALUE_CHARS - 1)}😀tail`
    expect(cutValue(emoji)).toBe("x".repeat(MAX_VALUE_CHARS - 1))
  })
})

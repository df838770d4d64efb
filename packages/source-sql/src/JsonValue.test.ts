import { describe, expect, it } from "vitest"
import { parseJsonExactly } from "./JsonValue.ts"

describe("parseJsonExactly", () => {
  it("parses nested JSON, keeping numbers a double would round as their text", () => {
    expect(parseJsonExactly('{"a": [1, 2.5, null], "b": {"c": true}}')).toEqual({ a: [1, 2.5, null], b: { c: true } })
    expect(parseJsonExactly('{"id": 12345678901234567890, "ok": 1234567890123456, "e": 1e400}')).toEqual({
      id: "12345678901234567890",
      ok: 1234567890123456,
      e: "1e400"
    })
  })

  it("parses a value nested thousands deep without overflowing, for the mapping to reject it", () => {
    // Exact numbers go through a reviver, which recurses: deep enough, it overflows the stack.
    for (const inner of ["1", "12345678901234567890"]) {
      const text = `${"[".repeat(6_000)}${inner}${"]".repeat(6_000)}`
      let value = parseJsonExactly(text)
      let depth = 0
      while (Array.isArray(value)) {
        value = value[0]
        depth++
      }
      expect(depth).toBe(6_000)
    }
  })
})

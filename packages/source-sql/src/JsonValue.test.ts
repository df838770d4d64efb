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
})

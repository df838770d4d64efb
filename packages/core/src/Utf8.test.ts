import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { utf8ByteLength } from "./Utf8.ts"

const encoder = new TextEncoder()

describe("utf8ByteLength", () => {
  it("counts bytes, not characters", () => {
    expect(utf8ByteLength("abc")).toBe(3)
    expect(utf8ByteLength("é")).toBe(2)
    expect(utf8ByteLength("€")).toBe(3)
    expect(utf8ByteLength("😀")).toBe(4)
  })

  it("agrees with TextEncoder for any string, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(utf8ByteLength(text)).toBe(encoder.encode(text).byteLength)
      })
    )
  })
})

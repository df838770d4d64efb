import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { portableUtf8ByteLength, utf8ByteLength } from "./Utf8.ts"

const encoder = new TextEncoder()

describe("utf8ByteLength", () => {
  it("counts bytes, not characters", () => {
    expect(utf8ByteLength("abc")).toBe(3)
    expect(utf8ByteLength("é")).toBe(2)
    expect(utf8ByteLength("€")).toBe(3)
    expect(utf8ByteLength("😀")).toBe(4)
    expect(portableUtf8ByteLength("é€😀")).toBe(9)
  })

  it("agrees with TextEncoder for any string, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const bytes = encoder.encode(text).byteLength
        // The runtime's native count where there is one (here, Node's), and the portable count.
        expect(utf8ByteLength(text)).toBe(bytes)
        expect(portableUtf8ByteLength(text)).toBe(bytes)
      })
    )
  })
})

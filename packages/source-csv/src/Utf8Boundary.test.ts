import { isUtf8 } from "node:buffer"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { completeUtf8Length } from "./Utf8Boundary.ts"

const bytes = (text: string) => new TextEncoder().encode(text)

describe("completeUtf8Length", () => {
  it("keeps a piece that ends on a character boundary whole", () => {
    expect(completeUtf8Length(bytes("abc"))).toBe(3)
    expect(completeUtf8Length(bytes("é€😀"))).toBe(9)
    expect(completeUtf8Length(new Uint8Array())).toBe(0)
  })

  it("leaves out a character cut at the end", () => {
    const euro = bytes("a€") // 61 e2 82 ac
    expect(completeUtf8Length(euro.subarray(0, 2))).toBe(1)
    expect(completeUtf8Length(euro.subarray(0, 3))).toBe(1)
    const emoji = bytes("a😀") // 61 f0 9f 98 80
    expect(completeUtf8Length(emoji.subarray(0, 4))).toBe(1)
  })

  it("keeps invalid bytes for the validity check to find", () => {
    expect(completeUtf8Length(Uint8Array.of(0x61, 0xff))).toBe(2)
    expect(completeUtf8Length(Uint8Array.of(0x61, 0x80, 0x80, 0x80, 0x80))).toBe(5)
  })

  it("cuts any valid text into pieces that are each valid UTF-8", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.nat(), (text, at) => {
        const all = bytes(text)
        const cut = all.length === 0 ? 0 : at % all.length
        const first = all.subarray(0, cut)
        const kept = completeUtf8Length(first)
        expect(isUtf8(first.subarray(0, kept))).toBe(true)
        expect(isUtf8(all.subarray(kept))).toBe(true)
        expect(cut - kept).toBeLessThanOrEqual(3)
      })
    )
  })
})

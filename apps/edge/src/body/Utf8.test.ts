import fc from "fast-check"
import { completeUtf8Length } from "@tablecast/source-csv/portable"
import { describe, expect, it } from "vitest"
import { firstInvalidUtf8, Utf8Check } from "./Utf8.ts"

/** What a fatal TextDecoder says of the whole input, as the offset of the first bad byte (by bisection). */
const referenceOffset = (bytes: Uint8Array): number => {
  const valid = (length: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, length), { stream: true })
      return true
    } catch {
      return false
    }
  }
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes)
    return -1
  } catch {
    let low = 0
    let high = bytes.length
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (valid(middle)) low = middle
      else high = middle - 1
    }
    // `low` bytes decode (maybe ending in an unfinished character): the bad one starts where the last complete character ends.
    return completeUtf8Length(bytes.subarray(0, low))
  }
}

const streamed = (bytes: Uint8Array, cuts: ReadonlyArray<number>): number => {
  const check = new Utf8Check()
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const to of [...points, bytes.length]) {
    if (to < from) continue
    const at = check.write(bytes.subarray(from, to), from)
    if (at !== -1) return at
    from = to
  }
  return check.end()
}

describe("Utf8Check", () => {
  it("finds the offset of the first bad byte, however the stream is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x8c, 0x8d, 0x41)), {
          maxLength: 40
        }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (values, cuts) => {
          const bytes = Uint8Array.from(values)
          expect(streamed(bytes, cuts)).toBe(referenceOffset(bytes))
        }
      ),
      { numRuns: 2_000, seed: 14 }
    )
  })

  it("passes valid text in any pieces, and names an unfinished last character at the end", () => {
    const bytes = new TextEncoder().encode("Café 🌍 Zürich")
    expect(streamed(bytes, [1, 4, 5, 8, 9, 10])).toBe(-1)
    const cut = bytes.subarray(0, 7)
    expect(streamed(cut, [])).toBe(6)
    expect(firstInvalidUtf8(cut, false)).toBe(-1)
    expect(firstInvalidUtf8(cut, true)).toBe(6)
  })

  it("refuses overlong forms and surrogates as a fatal decoder does", () => {
    expect(firstInvalidUtf8(Uint8Array.from([0x41, 0xc0, 0xaf]))).toBe(1)
    expect(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe(0)
    expect(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0)
  })
})

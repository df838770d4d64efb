import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { deterministicMessageId } from "./MessageId.ts"
import { hashSlice, RepeatCounter, type RepeatCounterOptions } from "./RepeatCounter.ts"

/** A content's 64-bit hash, as the mapper takes it from a messageId. */
const hashOf = (content: string) => hashSlice(deterministicMessageId("test", content), "tablecast-".length)

/** The occurrence numbers a fresh counter gives a sequence of contents. */
const numbersOf = (contents: ReadonlyArray<string>, options?: RepeatCounterOptions) => {
  const counter = new RepeatCounter(options)
  return contents.map((content) => {
    const { hi, lo } = hashOf(content)
    return counter.next(hi, lo)
  })
}

/** For each content, its numbers rise strictly: no two occurrences of one content share a number. */
const strictlyRising = (contents: ReadonlyArray<string>, numbers: ReadonlyArray<number>) => {
  const last = new Map<string, number>()
  contents.forEach((content, index) => {
    const number = numbers[index]!
    expect(number).toBeGreaterThan(last.get(content) ?? 0)
    last.set(content, number)
  })
}

const tiny: RepeatCounterOptions = { filterBytes: 32, exactSlots: 4, sketchCells: 4 }

describe("RepeatCounter", () => {
  it("numbers the occurrences of each content 1, 2, 3… and a new content 1", () => {
    expect(numbersOf(["a", "b", "a", "a", "c", "b"])).toEqual([1, 1, 2, 3, 1, 2])
  })

  it("numbers many repeated contents exactly while they fit the exact table (it grows)", () => {
    const contents = Array.from({ length: 20_000 }, (_, i) => `row ${i % 5_000}`)
    const numbers = numbersOf(contents)
    expect(numbers).toEqual(contents.map((_, i) => Math.floor(i / 5_000) + 1))
  })

  it("gives the same numbers to the same sequence, and rising numbers per content, whatever its sizes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 400 }),
        fc.constantFrom<RepeatCounterOptions>({}, tiny, { filterBytes: 64, exactSlots: 8 }, { filterBytes: 256, exactSlots: 16, sketchCells: 16 }),
        (picks, options) => {
          const contents = picks.map((pick) => `content ${pick}`)
          const numbers = numbersOf(contents, options)
          strictlyRising(contents, numbers)
          expect(numbersOf(contents, options)).toEqual(numbers)
        }
      )
    )
  })

  it("with a tiny filter, false positives start unique contents at 2: still distinct, still reproducible", () => {
    const contents = Array.from({ length: 2_000 }, (_, i) => `unique ${i}`)
    const numbers = numbersOf(contents, { filterBytes: 32 })
    // 2,000 contents in 256 bits: nearly every one after the first few is a false positive.
    expect(numbers.filter((n) => n === 2).length).toBeGreaterThan(1_500)
    expect(numbers.every((n) => n === 1 || n === 2)).toBe(true)
    expect(numbersOf(contents, { filterBytes: 32 })).toEqual(numbers)
  })

  it("once the exact table is full, the sketch's numbers still rise for each content", () => {
    const contents = Array.from({ length: 3_000 }, (_, i) => `row ${(i * 7) % 300}`)
    const counter = new RepeatCounter(tiny)
    const numbers = contents.map((content) => {
      const { hi, lo } = hashOf(content)
      return counter.next(hi, lo)
    })
    strictlyRising(contents, numbers)
    expect(counter.sketched).toBeGreaterThan(0)
    expect(counter.exactEntries).toBeLessThanOrEqual(3)
  })

  it("keeps false positives rare at its design size's load (measured on 200,000 contents in 1/32 of the default filter)", () => {
    // The default filter (8 MiB) holds 5,000,000 contents at 13.4 bits each; this one (256 KiB)
    // holds 200,000 at 10.5 bits each, a heavier load: the rate here bounds the default's.
    const counter = new RepeatCounter({ filterBytes: 256 * 1024 })
    let falsePositives = 0
    for (let i = 0; i < 200_000; i++) {
      const { hi, lo } = hashOf(`unique ${i}`)
      if (counter.next(hi, lo) > 1) falsePositives++
    }
    // Over the whole fill (the rate at the end is about twice the average).
    expect(falsePositives / 200_000).toBeLessThan(0.005)
    expect(counter.exactEntries).toBe(falsePositives)
  })

  it("refuses sizes that are not powers of two", () => {
    expect(() => new RepeatCounter({ filterBytes: 1000 })).toThrow(/power of two/)
    expect(() => new RepeatCounter({ exactSlots: 3 })).toThrow(/power of two/)
  })

  it("reads the 64-bit slice of a hex hash, and refuses what is not one", () => {
    expect(hashSlice("ffffffff00000001")).toEqual({ hi: 0xffffffff, lo: 1 })
    expect(hashSlice("tablecast-0123456789abcdef", 10)).toEqual({ hi: 0x01234567, lo: 0x89abcdef })
    expect(() => hashSlice("xyz")).toThrow(/64-bit/)
  })
})

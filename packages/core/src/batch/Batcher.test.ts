import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Batch, BatchBuilder, Batcher } from "./Batcher.ts"
import type { BuiltMessage } from "../map/MessageMapper.ts"

const message = (rowNumber: number, bytes: number): BuiltMessage => ({
  rowNumber,
  type: "track",
  messageId: `m${rowNumber}`,
  json: "x".repeat(bytes),
  bytes
})

const run = (builder: BatchBuilder, messages: ReadonlyArray<BuiltMessage>): Array<Batch> => {
  const batches: Array<Batch> = []
  for (const m of messages) batches.push(...builder.add(m))
  const last = builder.flush()
  if (last) batches.push(last)
  return batches
}

describe("BatchBuilder", () => {
  it("closes a batch when it reaches the count", () => {
    const batches = run(
      new BatchBuilder({ maxCount: 3, maxBytes: 10_000, envelopeBytes: 50 }),
      [1, 2, 3, 4, 5, 6, 7].map((n) => message(n, 10))
    )
    expect(batches.map((b) => b.messages.map((m) => m.rowNumber))).toEqual([[1, 2, 3], [4, 5, 6], [7]])
  })

  it("closes a batch before a message would push the body over the byte limit", () => {
    // envelope 50 + 40 + 1 + 40 = 131 <= 140, a third would make 172.
    const batches = run(
      new BatchBuilder({ maxCount: 100, maxBytes: 140, envelopeBytes: 50 }),
      [1, 2, 3].map((n) => message(n, 40))
    )
    expect(batches.map((b) => b.messages.length)).toEqual([2, 1])
    expect(batches[0]!.messageBytes).toBe(81)
  })

  it("never breaks a limit, loses, duplicates or reorders a message, for any sizes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 32_000 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 2_500 }),
        fc.integer({ min: 32_200, max: 475_000 }),
        fc.integer({ min: 2, max: 200 }),
        (sizes, maxCount, maxBytes, envelopeBytes) => {
          const messages = sizes.map((bytes, i) => message(i + 1, bytes))
          const batches = run(new BatchBuilder({ maxCount, maxBytes, envelopeBytes }), messages)
          for (const batch of batches) {
            expect(batch.messages.length).toBeGreaterThan(0)
            expect(batch.messages.length).toBeLessThanOrEqual(maxCount)
            const body = batch.messages.reduce((sum, m) => sum + m.bytes, 0) + batch.messages.length - 1
            expect(batch.messageBytes).toBe(body)
            expect(envelopeBytes + body).toBeLessThanOrEqual(maxBytes)
          }
          expect(batches.flatMap((b) => b.messages.map((m) => m.rowNumber))).toEqual(messages.map((m) => m.rowNumber))
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe("Batcher", () => {
  const chunk = (sizes: ReadonlyArray<number>, maxCount: number, maxBytes: number, envelopeBytes = 0) => {
    const batcher = new Batcher<number, { items: Array<number>; bytes: number }>({
      maxCount,
      maxBytes,
      envelopeBytes,
      separatorBytes: 0,
      sizeOf: (size) => size,
      close: (items, bytes) => ({ items, bytes })
    })
    const chunks = sizes.flatMap((size) => batcher.add(size))
    const last = batcher.flush()
    return last === undefined ? chunks : [...chunks, last]
  }

  it("chunks anything by the size it is given, under a count and a byte limit", () => {
    expect(chunk([5, 5, 5, 5, 5], 3, 100)).toEqual([
      { items: [5, 5, 5], bytes: 15 },
      { items: [5, 5], bytes: 10 }
    ])
    expect(chunk([40, 40, 40], 10, 100, 10)).toEqual([
      { items: [40, 40], bytes: 80 },
      { items: [40], bytes: 40 }
    ])
  })

  it("lets an item over the limit travel alone", () => {
    expect(chunk([1, 500, 1], 10, 100).map((c) => c.items)).toEqual([[1], [500], [1]])
  })

  it("measures an item again after a chunk closes, so its size may depend on what closed", () => {
    let open = 0
    const batcher = new Batcher<number, Array<number>>({
      maxCount: 10,
      maxBytes: 10,
      envelopeBytes: 0,
      separatorBytes: 0,
      // The first item of a chunk costs 2 more bytes (a header the chunk carries once).
      sizeOf: (size) => (open === 0 ? size + 2 : size),
      close: (items) => {
        open = 0
        return items
      }
    })
    const closed: Array<ReadonlyArray<number>> = []
    for (const size of [4, 4, 4]) {
      closed.push(...batcher.add(size))
      open++
    }
    // 6 + 4 = 10 fits; the third (4 more) does not, and opens the next chunk at 4 + 2.
    expect(closed).toEqual([[4, 4]])
    expect(batcher.size).toBe(1)
  })
})

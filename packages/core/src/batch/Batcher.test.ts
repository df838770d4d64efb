import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Batch, BatchBuilder } from "./Batcher.ts"
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
    const batches = run(new BatchBuilder({ maxCount: 3, maxBytes: 10_000, envelopeBytes: 50 }), [1, 2, 3, 4, 5, 6, 7].map((n) => message(n, 10)))
    expect(batches.map((b) => b.messages.map((m) => m.rowNumber))).toEqual([[1, 2, 3], [4, 5, 6], [7]])
  })

  it("closes a batch before a message would push the body over the byte limit", () => {
    // envelope 50 + 40 + 1 + 40 = 131 <= 140, a third would make 172.
    const batches = run(new BatchBuilder({ maxCount: 100, maxBytes: 140, envelopeBytes: 50 }), [1, 2, 3].map((n) => message(n, 40)))
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

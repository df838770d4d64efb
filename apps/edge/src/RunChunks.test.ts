import { PipelineOptions, SyncSpec, utf8ByteLength } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { chunkHeader, chunkRows } from "./ChunkMessage.ts"
import { splitIntoChunks } from "./RunChunks.ts"
import { numberRows } from "./RequestRows.ts"
import { scoreRows } from "./testing/rows.ts"

const spec = SyncSpec.parse({ event: "Sales Prediction", customerId: "customer_id" })
const options = PipelineOptions.parse({})

const split = (rows: ReturnType<typeof numberRows>, maxRows: number, maxBytes: number) =>
  splitIntoChunks({
    header: chunkHeader({ runId: "run-1", rows, spec, options, writeKey: undefined }),
    items: rows.items,
    maxRows,
    maxBytes
  })

describe("splitIntoChunks", () => {
  it("keeps every chunk within the row and byte limits, measured as the JSON the queue carries", () => {
    const rows = numberRows(scoreRows(5_000))
    const chunks = split(rows, 700, 20_000)
    expect(chunks.length).toBeGreaterThan(5_000 / 700)
    for (const chunk of chunks) {
      expect(chunk.message.rows.length).toBeLessThanOrEqual(700)
      const bytes = utf8ByteLength(JSON.stringify(chunk.message))
      expect(bytes).toBeLessThanOrEqual(chunk.bytes)
      expect(chunk.bytes).toBeLessThanOrEqual(20_000)
    }
  })

  it("covers every row once, in order, and gives the same rows back to the consumer", () => {
    const rows = numberRows(scoreRows(2_345))
    const chunks = split(rows, 1_000, 96_000)
    expect(chunks.map((chunk) => chunk.message.chunk)).toEqual(chunks.map((_, index) => index))
    const back = chunks.flatMap((chunk) => chunkRows(JSON.parse(JSON.stringify(chunk.message))).items)
    expect(back).toEqual(rows.items)
  })

  it("refuses a row too large for a queue message alone, as a malformed row that is still counted", () => {
    const rows = numberRows([{ customer_id: "a" }, { customer_id: "b", blob: "x".repeat(30_000) }, { customer_id: "c" }])
    const chunks = split(rows, 1_000, 10_000)
    const items = chunks.flatMap((chunk) => chunkRows(chunk.message).items)
    expect(items).toHaveLength(3)
    expect(items[1]).toEqual({
      _tag: "Malformed",
      malformed: { rowNumber: 2, reason: expect.stringMatching(/^the row is 30\d+ bytes as JSON, over the \d+ bytes/) }
    })
    expect(items[2]).toEqual({ rowNumber: 3, values: { customer_id: "c" } })
  })

  it("carries the source's malformed rows (without their raw text) and the CSV header", () => {
    const rows = {
      items: [
        { rowNumber: 1, values: { customer_id: "a" } },
        { _tag: "Malformed" as const, malformed: { rowNumber: 2, reason: "expected 1 fields, got 2", line: 3, raw: "a,b" } }
      ],
      columns: 1,
      names: ["customer_id"]
    }
    const [chunk] = split(rows, 1_000, 96_000)
    expect(chunk?.message.columns).toEqual(["customer_id"])
    expect(JSON.stringify(chunk?.message)).not.toContain('"raw"')
    expect(chunkRows(chunk!.message).items[1]).toEqual({
      _tag: "Malformed",
      malformed: { rowNumber: 2, reason: "expected 1 fields, got 2", line: 3 }
    })
  })
})

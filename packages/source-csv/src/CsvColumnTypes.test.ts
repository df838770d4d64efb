import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type DeliveryReport,
  isPrepared,
  PipelineOptions,
  type PreparedRow,
  type RejectedRow,
  RejectSink,
  Sync,
  SyncSpec,
  type SyncSpecInput,
  Transport
} from "@tablecast/core"
import { compileMapper } from "@tablecast/core/mapper"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { afterAll, describe, expect, it } from "vitest"
import { decideColumnTypes } from "./CsvColumnTypes.ts"
import { csvPreparedRows } from "./CsvRows.ts"
import { parseOptions } from "./CsvSourceOptions.ts"
import { CsvSource } from "./index.ts"

const dir = mkdtempSync(join(tmpdir(), "tablecast-csv-types-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const library = { name: "tablecast", version: "0.0.0-test" }

const file = (name: string, lines: ReadonlyArray<string>): string => {
  const path = join(dir, name)
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

/**
 * A sync over the file, with a transport that keeps every message it is given, in order. One batch
 * in flight: the transport then sees the batches in stream order. With more, each batch is sent by
 * a fiber of its own, and those reach the transport in whatever order they are scheduled.
 */
const syncOf = async (path: string, spec: Partial<SyncSpecInput>, worker: boolean) => {
  const messages: Array<string> = []
  const rejects: Array<RejectedRow> = []
  const transport = Layer.succeed(Transport, {
    endpoint: "memory",
    envelopeBytes: 60,
    send: (batch) =>
      Effect.sync(() => {
        messages.push(...batch.messages)
        return { status: 200, bodyBytes: batch.messageBytes }
      })
  })
  const report: DeliveryReport = await Effect.runPromise(
    Sync.run({
      spec: SyncSpec.parse({ event: "Order", customerId: "customer_id", ...spec }),
      options: PipelineOptions.parse({ batchCount: 100, maxInFlight: 1 }),
      library
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          CsvSource.layer({ path, worker }),
          transport,
          Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
        )
      )
    )
  )
  const properties = messages.map((json) => (JSON.parse(json) as { properties: Record<string, unknown> }).properties)
  return { messages, properties, rejects: rejects.map(({ row, reason, column }) => ({ row, reason, column })), rows: report.rows }
}

const monetary = file("monetary.csv", ["customer_id,monetary,segment", "c1,1520.50,a", "c2,210.00,b", "c3,19.99,c", "c4,4210.75,d"])

describe("CsvSource: auto typing decided per column, from the first rows", () => {
  it("sends every value of the monetary column as a number, 1520.50 and 210.00 like 19.99 and 4210.75", async () => {
    for (const worker of [false, true]) {
      const { properties, rejects } = await syncOf(monetary, {}, worker)
      expect(rejects).toEqual([])
      expect(properties.map((p) => p.monetary)).toEqual([1520.5, 210, 19.99, 4210.75])
      expect(properties.map((p) => typeof p.monetary)).toEqual(["number", "number", "number", "number"])
    }
  })

  it("decides from the first 1000 rows (or the whole file), with a note on what made a column text", async () => {
    const options = await Effect.runPromise(parseOptions({ path: monetary }))
    expect(await decideColumnTypes(options)).toEqual({
      customer_id: { type: "string", basis: "decided from the first 4 rows", note: 'row 1 holds "c1", not a number' },
      monetary: { type: "number", basis: "decided from the first 4 rows" },
      segment: { type: "string", basis: "decided from the first 4 rows", note: 'row 1 holds "a", not a number' }
    })
  })

  // 1,200 rows: the first 1,000 decide `amount` is a number and `zip` is text (one zip has a
  // leading zero); later, an "n/a" amount and a 20-digit one do not fit, and a plain zip stays text.
  const long = file("long.csv", [
    "customer_id,amount,zip",
    ...Array.from({ length: 1_200 }, (_, index) => {
      const row = index + 1
      const amount = row === 1_050 ? "n/a" : row === 1_100 ? "12345678901234567890" : `${row}.${row % 2 === 0 ? "00" : "50"}`
      const zip = row === 3 ? "02134" : String(10_000 + row)
      return `c${row},${amount},${zip}`
    })
  ])

  it("rejects a later value that does not fit the column's decided type, naming the column and the type; the column never turns to strings", async () => {
    const onThread = await syncOf(long, {}, false)
    expect(onThread.rows).toEqual({ read: 1_200, mapped: 1_198, rejected: 2, skipped: 0 })
    expect(onThread.rejects).toEqual([
      {
        row: 1_050,
        column: "amount",
        reason:
          'column "amount" is typed number (decided from the first 1000 rows); "n/a" is not a number — use --column amount=string to send it as text'
      },
      {
        row: 1_100,
        column: "amount",
        reason:
          'column "amount" is typed number (decided from the first 1000 rows); "12345678901234567890" has more digits than a JSON number carries exactly — use --column amount=string to send it as text'
      }
    ])
    expect(new Set(onThread.properties.map((p) => typeof p.amount))).toEqual(new Set(["number"]))
    expect(new Set(onThread.properties.map((p) => typeof p.zip))).toEqual(new Set(["string"]))
    expect(onThread.properties[2]!.zip).toBe("02134")
    expect(onThread.properties[9]).toEqual({ amount: 10, zip: "10010" })
  })

  it("the worker thread maps exactly as the pipeline's thread: same messages, same rejects", async () => {
    const onThread = await syncOf(long, {}, false)
    const inWorker = await syncOf(long, {}, true)
    expect(inWorker.rows).toEqual(onThread.rows)
    expect(inWorker.messages).toEqual(onThread.messages)
    expect(inWorker.rejects).toEqual(onThread.rejects)
  })

  // 6,000 rows of about 100 bytes (about ten 64 KB reads, so the worker maps several chunks).
  const amountAt = (row: number) => (row === 2_050 ? "n/a" : row === 5_100 ? "12345678901234567890" : `${row}.${row % 2 === 0 ? "00" : "50"}`)
  const wide = file("wide.csv", [
    "customer_id,amount,note",
    ...Array.from({ length: 6_000 }, (_, index) => `c${index + 1},${amountAt(index + 1)},${"x".repeat(80)}`)
  ])

  it("the worker maps with the decided types: its rows are compileMapper's with them, and a misfit comes unmapped for the pipeline to reject", async () => {
    const spec = SyncSpec.parse({ event: "Order", customerId: "customer_id" })
    const options = await Effect.runPromise(parseOptions({ path: wide }))
    const columnTypes = await decideColumnTypes(options)
    expect(columnTypes.amount).toEqual({ type: "number", basis: "decided from the first 1000 rows" })
    // A slow consumer: every chunk is ready before it is asked for, so the worker maps the later ones.
    let taken = 0
    const items = await Effect.runPromise(
      Stream.runCollect(
        csvPreparedRows(options, spec, library, undefined, columnTypes).pipe(
          Stream.tap(() => (++taken % 200 === 0 ? Effect.sleep("5 millis") : Effect.void))
        )
      )
    )
    expect(items).toHaveLength(6_000)
    const prepared = items.filter((item): item is PreparedRow => isPrepared(item))
    expect(prepared.length).toBeGreaterThan(1_000)
    const map = compileMapper(spec, library, { columnTypes })
    for (const item of prepared) {
      const row = item.rowNumber
      const expected = map({ rowNumber: row, values: { customer_id: `c${row}`, amount: amountAt(row), note: "x".repeat(80) } })
      expect(expected.ok && expected.messages).toEqual(item.messages)
      expect(JSON.parse(item.messages[0]!.json).properties.amount).toBeTypeOf("number")
    }
    // The misfits are never mapped in the worker (as another type): they come as read.
    for (const row of [2_050, 5_100])
      expect(items.find((item) => "rowNumber" in item && item.rowNumber === row && !isPrepared(item))).toBeDefined()
    // And a sync rejects them alike on either thread.
    const onThread = await syncOf(wide, {}, false)
    const inWorker = await syncOf(wide, {}, true)
    expect(onThread.rejects.map((reject) => reject.row)).toEqual([2_050, 5_100])
    expect(inWorker.rejects).toEqual(onThread.rejects)
    expect(inWorker.messages).toEqual(onThread.messages)
  })

  it("--column '*=string' sends every column as text, and a column declared by name keeps its type", async () => {
    for (const worker of [false, true]) {
      const all = await syncOf(long, { columns: { "*": "string" } }, worker)
      expect(all.rejects).toEqual([])
      expect(all.properties[1_049]).toEqual({ amount: "n/a", zip: "11050" })
      expect(all.properties[0]).toEqual({ amount: "1.50", zip: "10001" })
      const declared = await syncOf(monetary, { columns: { "*": "string", monetary: "number" } }, worker)
      expect(declared.properties[1]).toEqual({ monetary: 210, segment: "b" })
    }
  })

  it('--empty empty sends an empty field as "" in a text column (and leaves it out of a number column)', async () => {
    const path = file("empty.csv", ["customer_id,amount,note", "c1,1.5,", "c2,,hello", "c3,2,"])
    for (const worker of [false, true]) {
      const { properties } = await syncOf(path, { empty: "empty" }, worker)
      expect(properties).toEqual([{ amount: 1.5, note: "" }, { note: "hello" }, { amount: 2, note: "" }])
      const nulls = await syncOf(path, { empty: "null" }, worker)
      expect(nulls.properties[1]).toEqual({ amount: null, note: "hello" })
    }
  })
})

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
  type SourceItem,
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
import { CsvSource } from "./index.ts"
import { csvPreparedRows, csvRows } from "./CsvRows.ts"
import { parseOptions } from "./CsvSourceOptions.ts"

const dir = mkdtempSync(join(tmpdir(), "tablecast-csv-prepare-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const library = { name: "tablecast", version: "0.0.0-test" }
const specInput: SyncSpecInput = { type: "both", event: "Churn Scored", customerId: "customer_id", timestamp: "scored_at" }

/**
 * 6,000 rows of about 100 bytes (about ten 64 KB reads), among them rows the mapping refuses (an
 * empty customer id, a timestamp that is not one) and lines the parser refuses.
 */
const path = join(dir, "scores.csv")
writeFileSync(
  path,
  `${[
    "customer_id,churn_score,segment,note,scored_at",
    ...Array.from({ length: 6_000 }, (_, index) => {
      const row = index + 1
      if (row % 1_000 === 17) return `,0.5,lost,no id,2026-05-01T00:00:00Z`
      if (row % 1_000 === 420) return `c${row},0.5,lost,bad time,yesterday`
      if (row % 1_500 === 3) return `c${row},"0.5"x,broken quote,,2026-05-01T00:00:00Z`
      return `c${row},${(row % 997) / 997},${row % 3 === 0 ? "champions" : "at risk"},"note, ""quoted"" ${row}",2026-05-01T00:${String(row % 60).padStart(2, "0")}:00Z`
    })
  ].join("\n")}\n`
)

/**
 * A sync over the file, with a transport that keeps every message it is given, in order. One batch
 * in flight: the transport then sees the batches in stream order. With more, each batch is sent by
 * a fiber of its own, and those reach the transport in whatever order they are scheduled.
 */
const syncOf = async (worker: boolean) => {
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
    Sync.run({ spec: SyncSpec.parse(specInput), options: PipelineOptions.parse({ batchCount: 250, maxInFlight: 1 }), library }).pipe(
      Effect.provide(
        Layer.mergeAll(
          CsvSource.layer({ path, worker }),
          transport,
          Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
        )
      )
    )
  )
  return { messages, rejects, rows: report.rows, outcome: report.outcome }
}

describe("CsvSource: mapping in the worker thread", () => {
  it("sends the same messages and rejects the same rows as mapping on the pipeline's thread", async () => {
    const inWorker = await syncOf(true)
    const onThread = await syncOf(false)
    expect(onThread.outcome).toBe("completed")
    // 6,000 rows: 4 quote errors, 6 + 6 rows the mapping refuses; two messages for each other row.
    expect(onThread.rows).toEqual({ read: 6_000, mapped: 5_984, rejected: 16, skipped: 0 })
    expect(onThread.messages).toHaveLength(2 * 5_984)
    expect(inWorker.rows).toEqual(onThread.rows)
    expect(inWorker.messages).toEqual(onThread.messages)
    expect(inWorker.rejects).toEqual(onThread.rejects)
  })

  it("maps in the worker when the reader is ahead, each row exactly as compileMapper does", async () => {
    const spec = SyncSpec.parse(specInput)
    const options = await Effect.runPromise(parseOptions({ path }))
    const rows = await Effect.runPromise(Stream.runCollect(csvRows({ ...options, worker: false })))
    // A slow consumer: every chunk is ready before it is asked for, so the worker maps the later ones.
    let taken = 0
    const items = await Effect.runPromise(
      Stream.runCollect(
        csvPreparedRows(options, spec, library).pipe(Stream.tap(() => (++taken % 200 === 0 ? Effect.sleep("5 millis") : Effect.void)))
      )
    )
    const prepared = items.filter((item): item is PreparedRow => isPrepared(item))
    expect(prepared.length).toBeGreaterThan(1_000)
    expect(items).toHaveLength(rows.length)
    // The worker builds the ids of the contents; the run numbers repeated contents (CsvRepeats.test.ts).
    const map = compileMapper(spec, library, { countRepeats: false })
    const byRow = new Map(rows.flatMap((row: SourceItem) => ("rowNumber" in row ? [[row.rowNumber, row] as const] : [])))
    for (const item of prepared) {
      const expected = map(byRow.get(item.rowNumber)!)
      expect(expected.ok).toBe(true)
      if (expected.ok) expect(item.messages).toEqual(expected.messages)
    }
    // Rows the mapping refuses, and malformed lines, come through as the reader gave them.
    const others = items.filter((item) => !isPrepared(item))
    for (const item of others) {
      if ("malformed" in item) continue
      expect(item).toEqual(byRow.get(item.rowNumber))
    }
    expect(items.map((item) => ("malformed" in item ? item.malformed.rowNumber : item.rowNumber))).toEqual(
      rows.map((item) => ("malformed" in item ? item.malformed.rowNumber : item.rowNumber))
    )
  })

  it("leaves mapping to the pipeline when parsing stays on the calling thread", async () => {
    const source = await Effect.runPromise(CsvSource.make({ path, worker: false }))
    expect(source.prepare).toBeUndefined()
    const threaded = await Effect.runPromise(CsvSource.make({ path }))
    expect(threaded.prepare).toBeDefined()
  })
})

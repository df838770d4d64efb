import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type DeliveryReport, isPrepared, PipelineOptions, type RejectedRow, RejectSink, Sync, SyncSpec, Transport } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { afterAll, describe, expect, it } from "vitest"
import { CsvSource } from "./index.ts"
import { csvPreparedRows } from "./CsvRows.ts"
import { parseOptions } from "./CsvSourceOptions.ts"

// Issue 14: a JSON cell nested 6,000 deep used to throw in the serializer, and the run took the
// exception for the end of the file ("completed", nothing sent). Mapped on either thread, such a row
// is now rejected alone with its reason, and every other row is delivered.

const dir = mkdtempSync(join(tmpdir(), "tablecast-csv-deep-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const library = { name: "tablecast", version: "0.0.0-test" }
const deep = `${"[".repeat(6_000)}${"]".repeat(6_000)}`
const deepRows = new Set([5, 1_500, 2_900, 3_001, 4_500, 5_999])
const path = join(dir, "deep.csv")
writeFileSync(
  path,
  `${[
    "customer_id,score,payload",
    ...Array.from({ length: 6_000 }, (_, index) => {
      const row = index + 1
      return `c${row},0.${row % 97},"${deepRows.has(row) ? deep : `{""n"":${row}}`}"`
    })
  ].join("\n")}\n`
)
const spec = SyncSpec.parse({ event: "Scored", customerId: "customer_id", columns: { payload: "json" } })

const syncOf = async (worker: boolean) => {
  const received: Array<number> = []
  const rejects: Array<RejectedRow> = []
  const transport = Layer.succeed(Transport, {
    endpoint: "memory",
    envelopeBytes: 60,
    // A little slower than the reader, so that the worker reads ahead and maps chunks itself.
    send: (batch) =>
      Effect.sleep("2 millis").pipe(
        Effect.as({ status: 200, bodyBytes: batch.messageBytes }),
        Effect.tap(() => Effect.sync(() => void received.push(...batch.messages.map((json) => Number(JSON.parse(json).userId.slice(1))))))
      )
  })
  const report: DeliveryReport = await Effect.runPromise(
    Sync.run({ spec, options: PipelineOptions.parse({ batchCount: 250 }), library }).pipe(
      Effect.provide(
        Layer.mergeAll(
          CsvSource.layer({ path, worker }),
          transport,
          Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
        )
      )
    )
  )
  return { report, received, rejects }
}

describe("CsvSource: a value nested too deep", () => {
  it.each([true, false])("rejects its row alone and delivers every other row (worker: %s)", async (worker) => {
    const { report, received, rejects } = await syncOf(worker)
    expect(report.outcome).toBe("completed")
    expect(report.rows).toEqual({ read: 6_000, mapped: 5_994, rejected: 6, skipped: 0 })
    expect(report.messages).toMatchObject({ built: 5_994, accepted: 5_994, undelivered: 0 })
    expect(received).toHaveLength(5_994)
    expect(received.some((row) => deepRows.has(row))).toBe(false)
    expect(rejects.map(({ row, stage, column, reason }) => ({ row, stage, column, reason }))).toEqual(
      [...deepRows].map((row) => ({ row, stage: "validation", column: "payload", reason: 'column "payload": value nested deeper than 64 levels' }))
    )
  })

  it("in the worker thread, a deep row comes through as read, for the pipeline to reject; the rows around it come mapped", async () => {
    const options = await Effect.runPromise(parseOptions({ path }))
    let taken = 0
    const items = await Effect.runPromise(
      Stream.runCollect(
        csvPreparedRows(options, spec, library).pipe(Stream.tap(() => (++taken % 200 === 0 ? Effect.sleep("5 millis") : Effect.void)))
      )
    )
    expect(items).toHaveLength(6_000)
    const prepared = items.filter(isPrepared)
    expect(prepared.length).toBeGreaterThan(1_000)
    for (const item of items) {
      const row = "malformed" in item ? item.malformed.rowNumber : item.rowNumber
      if (deepRows.has(row)) expect(isPrepared(item)).toBe(false)
    }
  })
})

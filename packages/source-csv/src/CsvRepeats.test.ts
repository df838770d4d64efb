import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type Checkpoint,
  CheckpointStore,
  type DeliveryReport,
  memoryCheckpointStore,
  PipelineOptions,
  RejectSink,
  Sync,
  SyncSpec,
  Transport
} from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { afterAll, describe, expect, it } from "vitest"
import { fingerprintFile } from "./FileSample.ts"
import { CsvSource } from "./index.ts"

const dir = mkdtempSync(join(tmpdir(), "tablecast-csv-repeats-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const library = { name: "tablecast", version: "0.0.0-test" }
const spec = SyncSpec.parse({ type: "both", event: "Bird Strike", customerId: "airport" })

/** 8,000 rows without a key, one in five a copy of an earlier row (of 1,000 distinct ones). */
const path = join(dir, "strikes.csv")
const rowCount = 8_000
const contentOf = (row: number) => (row % 5 === 0 ? (row * 7) % 1_000 : row)
writeFileSync(
  path,
  `${["airport,species,damage", ...Array.from({ length: rowCount }, (_, i) => `A${contentOf(i + 1) % 97},s${contentOf(i + 1)},none`)].join("\n")}\n`
)
const distinctContents = new Set(Array.from({ length: rowCount }, (_, i) => contentOf(i + 1))).size

const syncOf = async (worker: boolean, checkpoint?: Checkpoint) => {
  const messageIds: Array<string> = []
  const transport = Layer.succeed(Transport, {
    endpoint: "memory",
    envelopeBytes: 60,
    send: (batch) =>
      Effect.sync(() => {
        for (const json of batch.messages) messageIds.push((JSON.parse(json) as { messageId: string }).messageId)
        return { status: 200, bodyBytes: batch.messageBytes }
      })
  })
  const report: DeliveryReport = await Effect.runPromise(
    Sync.run({ spec, options: PipelineOptions.parse({ batchCount: 100, maxInFlight: 1 }), library }).pipe(
      Effect.provide(Layer.mergeAll(CsvSource.layer({ path, worker }), transport, RejectSink.discard)),
      Effect.provideService(CheckpointStore, memoryCheckpointStore(checkpoint))
    )
  )
  return { messageIds, report }
}

describe("CsvSource: identical rows", () => {
  it("get distinct messageIds, the same whether the worker thread maps them or not", async () => {
    const inWorker = await syncOf(true)
    const onThread = await syncOf(false)
    expect(onThread.messageIds).toHaveLength(2 * rowCount)
    expect(new Set(onThread.messageIds).size).toBe(2 * rowCount)
    expect(onThread.report.rows.repeated).toBe(rowCount - distinctContents)
    expect(inWorker.messageIds).toEqual(onThread.messageIds)
    expect(inWorker.report.rows).toEqual(onThread.report.rows)
  })

  it("get the same ids in a run resumed after a checkpoint, which skips the rows before it", async () => {
    const full = await syncOf(true)
    const checkpoint: Checkpoint = {
      version: 1,
      sync: "Bird Strike",
      fingerprint: await fingerprintFile(path),
      watermark: 3_000,
      complete: false,
      updatedAt: "t"
    }
    // The namespace of a sync without a name: its type and event.
    const resumed = await syncOf(true, { ...checkpoint, sync: "both:Bird Strike" })
    expect(resumed.report.rows.skipped).toBe(3_000)
    expect(resumed.messageIds).toEqual(full.messageIds.slice(2 * 3_000))
  })
})

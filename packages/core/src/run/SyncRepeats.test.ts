import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { type Checkpoint, CheckpointStore, memoryCheckpointStore } from "../resume/Checkpoint.ts"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { compileMapper } from "../map/MessageMapper.ts"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import { RejectSink } from "../report/RejectSink.ts"
import { type PreparedRow, RowSource, type SourceItem } from "../source/RowSource.ts"
import * as Sync from "./Sync.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { recordingTransport } from "../testing/RecordingTransport.ts"

const spec = SyncSpec.parse({ event: "Scored", customerId: "customer_id" })
/** 60 rows of 3 contents, repeated in turn: c1, c2, c3, c1, c2, c3, … */
const table = Array.from({ length: 60 }, (_, i) => ({ customer_id: `c${(i % 3) + 1}`, score: "0.5" }))

const runToEnd = (run: Effect.Effect<DeliveryReport>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 10_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    return yield* Fiber.join(fiber)
  })

/** Runs the sync over a source; answers the report and the messageIds in the order sent (row order: one batch at a time). */
const sync = (source: Layer.Layer<RowSource>, checkpoint?: Checkpoint) =>
  Effect.gen(function* () {
    const transport = recordingTransport()
    const run = Sync.run({ spec, options: PipelineOptions.parse({ batchCount: 7, maxInFlight: 1 }) }).pipe(
      Effect.provide(Layer.mergeAll(source, transport.layer, RejectSink.discard)),
      Effect.provideService(CheckpointStore, memoryCheckpointStore(checkpoint)),
      Random.withSeed(1)
    )
    const report = yield* runToEnd(run)
    return { report, ids: transport.requests.flatMap((request) => request.messageIds) }
  })

/**
 * The table as a source that maps some rows beside its reading (as the CSV source's worker does):
 * those come prepared, with the ids of their contents; the others as plain rows.
 */
const preparingSource = (preparedWhen: (rowNumber: number) => boolean): Layer.Layer<RowSource> =>
  Layer.effect(
    RowSource,
    Effect.gen(function* () {
      const plain = yield* RowSource
      return {
        ...plain,
        prepare: (syncSpec, library) => {
          const worker = compileMapper(syncSpec, library, { countRepeats: false })
          return plain.rows.pipe(
            Stream.map((item): SourceItem | PreparedRow => {
              if ("_tag" in item || !preparedWhen(item.rowNumber)) return item
              const built = worker(item)
              return built.ok ? { _tag: "Prepared", rowNumber: item.rowNumber, messages: built.messages } : item
            })
          )
        }
      }
    })
  ).pipe(Layer.provide(memorySource(table, { chunkSize: 8 })))

describe("Sync.run with identical rows", () => {
  it.effect("sends every row under an id of its own, and counts the repeats", () =>
    Effect.gen(function* () {
      const { report, ids } = yield* sync(memorySource(table))
      assert.strictEqual(ids.length, 60)
      assert.strictEqual(new Set(ids).size, 60)
      assert.strictEqual(report.messages.accepted, 60)
      assert.strictEqual(report.rows.repeated, 57)
    })
  )

  it.effect("gives the same ids whoever maps each row: the run, or the source beside its reading", () =>
    Effect.gen(function* () {
      const plain = yield* sync(memorySource(table))
      const prepared = yield* sync(preparingSource((row) => row % 3 !== 0 || row > 40))
      assert.deepStrictEqual(prepared.ids, plain.ids)
      assert.strictEqual(prepared.report.rows.repeated, 57)
    })
  )

  for (const [name, source] of [
    ["mapped by the run", () => memorySource(table, { chunkSize: 8 })],
    ["prepared by the source", () => preparingSource((row) => row % 2 === 0)]
  ] as const) {
    it.effect(`resumed after a checkpoint, gives the rows after it the ids of a full run (${name})`, () =>
      Effect.gen(function* () {
        const full = yield* sync(source())
        const resumed = yield* sync(source(), {
          version: 1,
          sync: "track:Scored",
          fingerprint: "memory:60",
          watermark: 25,
          complete: false,
          updatedAt: "t"
        })
        assert.strictEqual(resumed.report.rows.skipped, 25)
        assert.deepStrictEqual(resumed.ids, full.ids.slice(25))
      })
    )
  }
})

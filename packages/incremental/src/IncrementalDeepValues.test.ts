import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import { imbalanceOf, PipelineOptions, type RejectedRow, RejectSink } from "@tablecast/core"
import { runIncremental } from "./IncrementalSync.ts"
import { memorySnapshotStore, SnapshotStore } from "./Snapshot.ts"
import { memorySource } from "@tablecast/core/testing"
import { recordingTransport } from "@tablecast/core/testing"
import { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"

// An incremental run serializes a row's values for its key, fingerprint and snapshot: a value nested
// thousands deep (a warehouse's jsonb) must reject its row there too, without being taken for a
// removed row, and without ending the run.

const deepValue = (): unknown => {
  let value: unknown = []
  for (let i = 0; i < 6_000; i++) value = [value]
  return value
}

const table = (deepRow?: number) =>
  Array.from({ length: 20 }, (_, i) => ({
    customer_id: `c${i + 1}`,
    score: i / 20,
    doc: i + 1 === deepRow ? deepValue() : { n: i + 1 }
  }))

const spec = IncrementalSyncSpec.parse({ name: "deep", event: "Scored", customerId: "customer_id", incremental: { mode: "all" } })

const runOnce = (store: ReturnType<typeof memorySnapshotStore>, rows: ReadonlyArray<Record<string, unknown>>, syncSpec = spec) =>
  Effect.gen(function* () {
    const rejects: Array<RejectedRow> = []
    const transport = recordingTransport()
    const run = runIncremental({ spec: syncSpec, options: PipelineOptions.parse({ batchCount: 10 }) }).pipe(
      Effect.provide(
        Layer.mergeAll(
          memorySource(rows, { chunkSize: 7 }),
          transport.layer,
          Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
        )
      ),
      Effect.provideService(SnapshotStore, store),
      Random.withSeed(5)
    )
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    const result = yield* Fiber.join(fiber)
    return { report: result.report, plan: result.plan!, transport, rejects }
  })

describe("incremental syncs: a value nested too deep", () => {
  it.effect("rejects its row on a first run and on a planned run, never takes it for removed, and the books balance", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const first = yield* runOnce(store, table(5))
      assert.strictEqual(first.report.outcome, "completed")
      assert.deepStrictEqual(first.report.rows, { read: 20, mapped: 19, rejected: 1, skipped: 0 })
      assert.strictEqual(first.report.messages.accepted, 19)
      assert.deepStrictEqual(
        first.rejects.map(({ row, column, reason }) => ({ row, column, reason })),
        [{ row: 5, column: "doc", reason: 'column "doc": value nested deeper than 64 levels' }]
      )
      assert.isUndefined(imbalanceOf(first.report))

      yield* runOnce(store, table())
      // Now row 7 goes deep: a planned run (there is a snapshot) rejects it, and does not remove c7.
      const planned = yield* runOnce(store, table(7))
      assert.strictEqual(planned.report.outcome, "completed")
      assert.strictEqual(planned.plan.rows.removed, 0)
      assert.deepStrictEqual(
        planned.rejects.map(({ row, column }) => ({ row, column })),
        [{ row: 7, column: "doc" }]
      )
      assert.isTrue(store.entries("deep").has(JSON.stringify(["c7"])) || [...store.entries("deep").keys()].some((key) => key.includes("c7")))
      assert.isUndefined(imbalanceOf(planned.report))
    })
  )

  it.effect("a key value nested too deep rejects its row, named as the key column; the run goes on", () =>
    Effect.gen(function* () {
      const keyed = IncrementalSyncSpec.parse({ name: "deep-key", event: "Scored", customerId: "customer_id", key: ["customer_id", "doc"] })
      const run = yield* runOnce(memorySnapshotStore(), table(3), keyed)
      assert.strictEqual(run.report.outcome, "completed")
      assert.deepStrictEqual(run.report.rows, { read: 20, mapped: 19, rejected: 1, skipped: 0 })
      assert.deepStrictEqual(
        run.rejects.map(({ row, column, reason }) => ({ row, column, reason })),
        [{ row: 3, column: "doc", reason: 'key column "doc": value nested deeper than 64 levels' }]
      )
      assert.isUndefined(imbalanceOf(run.report))
    })
  )
})

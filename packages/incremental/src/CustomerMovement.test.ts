import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { PipelineOptions, type RejectedRow, RejectSink, RunObserver } from "@tablecast/core"
import { memorySource, recordingTransport } from "@tablecast/core/testing"
import { runIncremental } from "./IncrementalSync.ts"
import { IncrementalSyncSpec, type IncrementalSyncSpecInput } from "./IncrementalSyncSpec.ts"
import { memorySnapshotStore, SnapshotStore } from "./Snapshot.ts"

interface Row {
  readonly customer_id: string
  readonly score: number | string
  readonly ltv: number
  readonly segment: string
}

const churn: IncrementalSyncSpecInput = {
  name: "churn",
  event: "Churn Scored",
  customerId: "customer_id",
  incremental: { mode: "added-or-changed", tolerance: { score: { absolute: 0.01 } }, guard: { maxChangedShare: 1, maxRemovedShare: 1 } }
}

const model = (count: number): Array<Row> =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, score: ((i * 37) % 100) / 100, ltv: 100 + i, segment: `s${i % 3}` }))

const runOnce = (store: ReturnType<typeof memorySnapshotStore>, rows: ReadonlyArray<Row>, rejected: Array<RejectedRow> = []) =>
  Effect.gen(function* () {
    const run = runIncremental({ spec: IncrementalSyncSpec.parse(churn), options: PipelineOptions.parse({ batchCount: 10 }) }).pipe(
      Effect.provide(
        Layer.mergeAll(
          memorySource(rows as unknown as ReadonlyArray<Record<string, unknown>>, { chunkSize: 7 }),
          recordingTransport().layer,
          RejectSink.discard
        )
      ),
      Effect.provideService(SnapshotStore, store),
      Effect.provideService(RunObserver, {
        onMessages: () => {},
        onProgress: () => {},
        onRejects: (rejects) => void rejected.push(...rejects)
      })
    )
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    return (yield* Fiber.join(fiber)).plan!
  })

describe("customer movement", () => {
  it.effect("counts, per numeric column, the keys of both runs and those that moved by more than the column's threshold", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const first = yield* runOnce(store, model(40))
      assert.isUndefined(first.movement, "nothing to compare with on a first run")

      const before = model(40)
      const next: Array<Row> = before.map((row, i) => {
        if (i % 5 === 0) return { ...row, score: Number(row.score) + 0.2 } // moved: over 0.01
        if (i % 5 === 1) return { ...row, score: Number(row.score) + 0.005 } // within the tolerance
        if (i % 5 === 2) return { ...row, ltv: row.ltv + 1 } // ltv moved (no tolerance: any move)
        if (i === 3) return { ...row, score: "n/a" } // no number now: not compared
        return row
      })
      next.splice(39, 1) // c40 left: not compared
      next.push({ customer_id: "c99", score: 0.5, ltv: 1, segment: "s1" }) // new: not compared
      const rejected: Array<RejectedRow> = []
      next.push({ customer_id: "", score: 0.1, ltv: 1, segment: "s0" }) // no key: rejected by the plan
      const plan = yield* runOnce(store, next, rejected)

      const inBoth = next.filter((row) => before.some((old) => old.customer_id === row.customer_id))
      const numbersInBoth = (column: "score" | "ltv") =>
        inBoth.filter(
          (row) => typeof row[column] === "number" && typeof before.find((old) => old.customer_id === row.customer_id)![column] === "number"
        )
      const movedBy = (column: "score" | "ltv", threshold: number) =>
        numbersInBoth(column).filter(
          (row) =>
            Math.abs(Number(row[column]) - Number(before.find((old) => old.customer_id === row.customer_id)![column])) > threshold * (1 + 1e-9)
        ).length
      assert.deepStrictEqual(plan.movement, [
        { column: "score", compared: numbersInBoth("score").length, threshold: 0.01, moved: movedBy("score", 0.01) },
        { column: "ltv", compared: numbersInBoth("ltv").length, threshold: 0, moved: movedBy("ltv", 0) }
      ])
      assert.isAbove(movedBy("score", 0.01), 0)
      assert.deepStrictEqual(
        rejected.map((reject) => reject.stage),
        ["validation"]
      )
    })
  )
})

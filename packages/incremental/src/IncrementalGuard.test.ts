import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import type { IncrementalMode } from "./IncrementalSpec.ts"
import { type IncrementalResult, runIncremental } from "./IncrementalSync.ts"
import { PipelineOptions, RejectSink } from "@tablecast/core"
import { memorySnapshotStore, SnapshotStore } from "./Snapshot.ts"
import { memorySource } from "@tablecast/core/testing"
import { recordingTransport } from "@tablecast/core/testing"
import { IncrementalSyncSpec, type IncrementalSyncSpecInput } from "./IncrementalSyncSpec.ts"

const MODES: ReadonlyArray<IncrementalMode> = ["added", "changed", "added-or-changed", "removed", "all"]

const model = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, score: Math.round(((i * 37) % 100) * 10) / 1000, segment: `s${i % 4}` }))

const specOf = (mode: IncrementalMode, guard: Record<string, number> = {}): IncrementalSyncSpecInput => ({
  name: "churn",
  event: "Churn Scored",
  customerId: "customer_id",
  incremental: { mode, guard }
})

const runOnce = (
  store: ReturnType<typeof memorySnapshotStore>,
  rows: ReadonlyArray<object>,
  spec: IncrementalSyncSpecInput,
  h: { force?: boolean; planOnly?: boolean; full?: boolean } = {}
) =>
  Effect.gen(function* () {
    const transport = recordingTransport(() => "ok")
    const run = runIncremental({
      spec: IncrementalSyncSpec.parse(spec),
      options: PipelineOptions.parse({ batchCount: 50 }),
      ...(h.force === undefined ? {} : { force: h.force }),
      ...(h.full === undefined ? {} : { full: h.full }),
      ...(h.planOnly === undefined ? {} : { planOnly: h.planOnly })
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          memorySource(rows as ReadonlyArray<Record<string, unknown>>, { chunkSize: 64 }),
          transport.layer,
          Layer.succeed(RejectSink, { write: () => Effect.void })
        )
      ),
      Effect.provideService(SnapshotStore, store),
      Random.withSeed(5)
    )
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    const result: IncrementalResult = yield* Fiber.join(fiber)
    return { report: result.report, plan: result.plan!, requests: transport.requests.length }
  })

/** The first run: a full one, so that every mode (`changed` sends no added row) starts from the whole table. */
const seed = (store: ReturnType<typeof memorySnapshotStore>, count: number, spec: IncrementalSyncSpecInput) =>
  runOnce(store, model(count), spec, { full: true })

const snapshotOf = (store: ReturnType<typeof memorySnapshotStore>) => JSON.stringify([...store.entries("churn").entries()].sort())

describe("the guard judges the table, whatever the mode sends", () => {
  it.effect("a table that lost half its rows stops the run in every mode: nothing sent, the snapshot unchanged", () =>
    Effect.gen(function* () {
      for (const mode of MODES) {
        const store = memorySnapshotStore()
        yield* seed(store, 400, specOf(mode))
        const before = snapshotOf(store)
        const commits = store.commits.length
        for (const planOnly of [true, false]) {
          const run = yield* runOnce(store, model(200), specOf(mode), { planOnly })
          assert.strictEqual(run.plan.rows.removed, 200, mode)
          assert.strictEqual(run.plan.guard.removedShare, 0.5, mode)
          assert.match(run.plan.guard.tripped ?? "", /200 of the snapshot's 400 rows are removed \(50%\), over the guard's 20%/, mode)
          if (!planOnly) assert.strictEqual(run.report.fatal?.kind, "guard", mode)
          assert.strictEqual(run.requests, 0, mode)
          assert.strictEqual(store.commits.length, commits, mode)
          assert.strictEqual(snapshotOf(store), before, mode)
        }
      }
    })
  )

  it.effect("prints the true shares in every mode, and a small shrink passes", () =>
    Effect.gen(function* () {
      for (const mode of MODES) {
        const store = memorySnapshotStore()
        yield* seed(store, 400, specOf(mode))
        const rows = model(380)
        rows[0]!.segment = "moved"
        rows.push({ customer_id: "new", score: 0.5, segment: "s1" })
        const run = yield* runOnce(store, rows, specOf(mode), { planOnly: true })
        assert.deepStrictEqual(
          {
            added: run.plan.guard.addedShare,
            changed: run.plan.guard.changedShare,
            removed: run.plan.guard.removedShare,
            tripped: run.plan.guard.tripped
          },
          { added: 1 / 400, changed: 1 / 400, removed: 20 / 400, tripped: undefined },
          mode
        )
      }
    })
  )

  it.effect("a changed share over its maximum stops a mode that sends changes and warns in one that does not", () =>
    Effect.gen(function* () {
      for (const mode of MODES) {
        const store = memorySnapshotStore()
        yield* seed(store, 100, specOf(mode))
        const broken = model(100).map((row) => ({ ...row, segment: "zero" }))
        const run = yield* runOnce(store, broken, specOf(mode), { planOnly: true })
        assert.strictEqual(run.plan.guard.changedShare, 1, mode)
        if (mode === "added" || mode === "removed") {
          assert.isUndefined(run.plan.guard.tripped, mode)
          assert.match(
            run.plan.guard.warning ?? "",
            /100 of the snapshot's 100 rows changed \(100%\).*sends no changes, so this does not stop the run/,
            mode
          )
        } else {
          assert.match(run.plan.guard.tripped ?? "", /rows changed \(100%\), over the guard's 50%/, mode)
        }
      }
    })
  )

  it.effect("--force sends past the removed share; in a mode without removals the gone keys are then forgotten", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(400), specOf("added-or-changed"))
      const forced = yield* runOnce(store, model(200), specOf("added-or-changed"), { force: true })
      assert.isTrue(forced.plan.guard.forced)
      assert.strictEqual(forced.report.outcome, "completed")
      assert.strictEqual(forced.report.incremental?.snapshot.forgotten, 200)
      assert.strictEqual(store.entries("churn").size, 200)
      // The next run compares with the table as accepted.
      const next = yield* runOnce(store, model(200), specOf("added-or-changed"), { planOnly: true })
      assert.strictEqual(next.plan.rows.removed, 0)
      assert.isUndefined(next.plan.guard.tripped)

      // A raised maximum lets a table meant to shrink through, as documented.
      const window = memorySnapshotStore()
      yield* runOnce(window, model(400), specOf("added", { maxRemovedShare: 1 }))
      const shrunk = yield* runOnce(window, model(200), specOf("added", { maxRemovedShare: 1 }))
      assert.isUndefined(shrunk.report.fatal)
      assert.strictEqual(shrunk.plan.guard.removedShare, 0.5)
    })
  )
})

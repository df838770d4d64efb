import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import {
  type ContractMode,
  ExitCode,
  exitCodeOfReport,
  MessageContract,
  PipelineOptions,
  type PipelineOptionsInput,
  type RejectedRow,
  RejectSink,
  type WarnedRow,
  WarningSink
} from "@tablecast/core"
import { memorySource, recordingTransport } from "@tablecast/core/testing"
import { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"
import { runIncremental } from "./IncrementalSync.ts"
import { memorySnapshotStore, SnapshotStore } from "./Snapshot.ts"

const spec = IncrementalSyncSpec.parse({
  name: "churn",
  event: "Churn Scored",
  customerId: "customer_id",
  key: ["customer_id"],
  incremental: { mode: "all" }
})

/** The plan: a row's segment must not be "s2"; the removal event must not name customer c18. */
const contract = (mode: ContractMode) => ({
  mode,
  name: "plan.json",
  check: (message: Readonly<Record<string, unknown>>) => {
    const properties = message.properties as Record<string, unknown>
    if (message.event === "Segment Exited") {
      return properties.customer_id === "c18"
        ? {
            violations: [{ path: "properties.customer_id", rule: "TRACK Exited", text: "properties.customer_id: not c18 (TRACK Exited)" }],
            unplanned: false
          }
        : { violations: [], unplanned: false }
    }
    return properties.segment === "s2"
      ? { violations: [{ path: "properties.segment", rule: "TRACK", text: "properties.segment: must not be s2 (TRACK)" }], unplanned: false }
      : { violations: [], unplanned: false }
  }
})

/** Customers c1..c{count}: every third in segment s2 (c3, c6, ...), or all in s0. */
const model = (count: number, allS0 = false) =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, segment: allS0 ? "s0" : `s${i % 3}` }))

const runOnce = (
  store: ReturnType<typeof memorySnapshotStore>,
  rows: ReadonlyArray<Record<string, unknown>>,
  mode: ContractMode,
  options: PipelineOptionsInput = {},
  full = false
) =>
  Effect.gen(function* () {
    const rejects: Array<RejectedRow> = []
    const warned: Array<WarnedRow> = []
    const transport = recordingTransport()
    const run = runIncremental({ spec, options: PipelineOptions.parse({ batchCount: 10, ...options }), full }).pipe(
      Effect.provide(
        Layer.mergeAll(
          memorySource(rows, { chunkSize: 7 }),
          transport.layer,
          Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
        )
      ),
      Effect.provideService(SnapshotStore, store),
      Effect.provideService(MessageContract, contract(mode)),
      Effect.provideService(WarningSink, { write: (batch) => Effect.sync(() => void warned.push(...batch)) })
    )
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    const result = yield* Fiber.join(fiber)
    return { report: result.report, plan: result.plan, rejects, warned, sent: transport.requests.flatMap((request) => request.messageIds) }
  })

describe("an incremental sync's removals, checked against the tracking plan", () => {
  it.effect("reject: a removal the plan forbids is not sent, is rejected with its violation, and its key stays to be tried again", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(20, true), "reject")
      assert.strictEqual(store.entries("churn").size, 20)
      // c17..c20 left the table: three removals sent, c18's stopped (and c3, c6, ... rejected as changed rows).
      const second = yield* runOnce(store, model(16), "reject")
      assert.strictEqual(second.report.outcome, "completed")
      assert.deepStrictEqual(second.plan?.rows.removalsRejected, 1)
      assert.strictEqual(second.plan?.send.removals, 3)
      const stopped = second.rejects.filter((reject) => reject.reason.startsWith("removed key"))
      assert.deepStrictEqual(
        stopped.map((reject) => [reject.stage, reject.reason]),
        [["validation", 'removed key ["c18"]: properties.customer_id: not c18 (TRACK Exited)']]
      )
      assert.strictEqual(second.report.trackingPlan?.byRule["TRACK Exited"], 1)
      assert.deepStrictEqual(
        [...store.entries("churn").keys()].filter((key) => !/"c([1-9]|1[0-6])"/.test(key)),
        ['["c18"]']
      )
      // The next run tries it again, and stops it again.
      const third = yield* runOnce(store, model(16), "reject")
      assert.strictEqual(third.plan?.rows.removalsRejected, 1)
      assert.strictEqual(third.plan?.send.removals, 0)
      assert.isTrue(store.entries("churn").has('["c18"]'))
      // Once the plan lets it through (warn), it is sent and the key leaves the snapshot.
      const fourth = yield* runOnce(store, model(16), "warn")
      assert.strictEqual(fourth.plan?.send.removals, 1)
      assert.isFalse(store.entries("churn").has('["c18"]'))
    })
  )

  it.effect("reject: a stopped removal counts toward --max-rejects, judged before anything is sent", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(20, true), "reject")
      const over = yield* runOnce(
        store,
        model(20, true).filter((row) => row.customer_id !== "c18"),
        "reject",
        {
          maxRejectedRows: 0
        }
      )
      assert.strictEqual(over.report.fatal?.kind, "max-rejects")
      assert.deepStrictEqual(over.sent, [])
      assert.isTrue(store.entries("churn").has('["c18"]'))
    })
  )

  it.effect("a --full run (sent as it reads) reports the stopped removal, exits 3, and forgets no key", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(20, true), "reject")
      const full = yield* runOnce(
        store,
        model(20, true).filter((row) => row.customer_id !== "c18"),
        "reject",
        {},
        true
      )
      assert.strictEqual(full.report.outcome, "completed")
      assert.strictEqual(full.report.rows.removalsRejected, 1)
      assert.strictEqual(exitCodeOfReport(full.report), ExitCode.rowsRejected)
      assert.isTrue(store.entries("churn").has('["c18"]'))
      assert.strictEqual(store.entries("churn").size, 20)
    })
  )

  it.effect("warn: removals are sent and counted; the warned removal is in the warnings with its key, beside the warned rows", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(20, true), "warn")
      const second = yield* runOnce(store, model(16), "warn", { maxRejectedRows: 0 })
      assert.strictEqual(second.report.outcome, "completed")
      assert.strictEqual(second.plan?.send.removals, 4)
      assert.isUndefined(second.plan?.rows.removalsRejected)
      assert.isFalse(store.entries("churn").has('["c18"]'))
      // The changed rows in segment s2 (c3, c6, ... c15) and the removal of c18.
      const removal = second.warned.find((row) => row.removedKey !== undefined)
      assert.deepStrictEqual(removal?.removedKey, '["c18"]')
      assert.deepStrictEqual(removal?.violations, [
        { rule: "TRACK Exited", property: "properties.customer_id", text: "properties.customer_id: not c18 (TRACK Exited)" }
      ])
      const rows = second.warned.filter((row) => row.removedKey === undefined)
      assert.deepStrictEqual(
        rows.map((row) => row.row),
        [3, 6, 9, 12, 15]
      )
      assert.deepStrictEqual(rows[0]?.values, { customer_id: "c3", segment: "s2" })
      assert.strictEqual(second.report.trackingPlan?.rowsWithViolations, 6)
    })
  )
})

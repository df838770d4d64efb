import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { type ContractMode, MessageContract, PipelineOptions, type PipelineOptionsInput, type RejectedRow, RejectSink } from "@tablecast/core"
import { memorySource, recordingTransport } from "@tablecast/core/testing"
import { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"
import { runIncremental } from "./IncrementalSync.ts"
import { memorySnapshotStore, SnapshotStore } from "./Snapshot.ts"

const spec = IncrementalSyncSpec.parse({ name: "churn", event: "Churn Scored", customerId: "customer_id", key: ["customer_id"] })

/** Segment "s3" breaks the plan. */
const contract = (mode: ContractMode) => ({
  mode,
  name: "plan.json",
  check: (message: Readonly<Record<string, unknown>>) => {
    const segment = (message.properties as Record<string, unknown>).segment
    return segment === "s3"
      ? { violations: [{ path: "properties.segment", rule: "TRACK", text: "properties.segment: must not be s3 (TRACK)" }], unplanned: false }
      : { violations: [], unplanned: false }
  }
})

const model = (count: number, shift = 0) =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, segment: `s${(i + shift) % 4}`, row: i + 1 }))

const runOnce = (
  store: ReturnType<typeof memorySnapshotStore>,
  rows: ReadonlyArray<Record<string, unknown>>,
  mode: ContractMode,
  h: { readonly options?: PipelineOptionsInput; readonly planOnly?: boolean } = {}
) =>
  Effect.gen(function* () {
    const rejects: Array<RejectedRow> = []
    const transport = recordingTransport()
    const run = runIncremental({
      spec,
      options: PipelineOptions.parse({ batchCount: 10, ...h.options }),
      ...(h.planOnly === undefined ? {} : { planOnly: h.planOnly })
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          memorySource(rows, { chunkSize: 7 }),
          transport.layer,
          Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
        )
      ),
      Effect.provideService(SnapshotStore, store),
      Effect.provideService(MessageContract, contract(mode))
    )
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    const result = yield* Fiber.join(fiber)
    return { report: result.report, rejects, sent: transport.requests.flatMap((request) => request.messageIds).length }
  })

describe("an incremental sync's tracking plan", () => {
  it.effect("reject: the plan rejects the violating rows, which stay out of the snapshot; the rest is sent once", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const { report, rejects, sent } = yield* runOnce(store, model(20), "reject")
      assert.strictEqual(sent, 15)
      assert.deepStrictEqual(
        rejects.map((reject) => reject.row),
        [4, 8, 12, 16, 20]
      )
      assert.strictEqual(rejects[0]?.reason, "properties.segment: must not be s3 (TRACK)")
      assert.strictEqual(report.trackingPlan?.rowsWithViolations, 5)
      assert.strictEqual(report.trackingPlan?.messagesChecked, 20)
      assert.strictEqual(store.entries("churn").size, 15)
    })
  )

  it.effect("warn: every row is sent and the violations counted", () =>
    Effect.gen(function* () {
      const { report, rejects, sent } = yield* runOnce(memorySnapshotStore(), model(20), "warn", { options: { maxRejectedRows: 0 } })
      assert.strictEqual(sent, 20)
      assert.deepStrictEqual(rejects, [])
      assert.strictEqual(report.outcome, "completed")
      assert.strictEqual(report.trackingPlan?.violations, 5)
    })
  )

  it.effect("a plan over --max-rejects stops before sending, the violations named", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(20), "reject")
      const planned = yield* runOnce(store, model(20, 1), "reject", { planOnly: true, options: { maxRejectedRows: 2 } })
      assert.strictEqual(planned.report.fatal?.kind, "max-rejects")
      assert.strictEqual(planned.sent, 0)
      assert.strictEqual(planned.report.trackingPlan?.rowsWithViolations, 5)
      const sending = yield* runOnce(store, model(20, 1), "reject", { options: { maxRejectedRows: 2 } })
      assert.strictEqual(sending.report.fatal?.kind, "max-rejects")
      assert.strictEqual(sending.sent, 0)
    })
  )
})

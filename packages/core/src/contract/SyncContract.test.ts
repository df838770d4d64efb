import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { type RejectedRow, RejectSink } from "../report/RejectSink.ts"
import { preview } from "../run/Preview.ts"
import * as Sync from "../run/Sync.ts"
import { PipelineOptions, type PipelineOptionsInput } from "../spec/PipelineOptions.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { recordingTransport } from "../testing/RecordingTransport.ts"
import { type ContractMode, MessageContract, type MessageContractShape } from "./MessageContract.ts"
import { scoreTierContract } from "../testing/ScoreTierContract.ts"

const spec = SyncSpec.parse({ event: "Churn Scored", customerId: "customer_id", properties: ["score", "tier", "row"] })

const contract = (mode: ContractMode): MessageContractShape => scoreTierContract(mode, "TRACK")

const rows = [
  { customer_id: "c1", score: "0.5", tier: "gold", row: 1 },
  { customer_id: "c2", score: "high", tier: "gold", row: 2 },
  { customer_id: "c3", score: "0.7", tier: "bronze", row: 3 },
  { customer_id: "c4", score: "x", tier: "y", row: 4 },
  { customer_id: "c5", score: "0.1", tier: "silver", row: 5 }
]

const runWith = (mode: ContractMode, options: PipelineOptionsInput = {}) =>
  Effect.gen(function* () {
    const transport = recordingTransport()
    const rejects: Array<RejectedRow> = []
    const layer = Layer.mergeAll(
      memorySource(rows),
      transport.layer,
      Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
    )
    const fiber = yield* Effect.forkChild(
      Sync.run({ spec, options: PipelineOptions.parse(options) }).pipe(
        Effect.provide(layer),
        Effect.provideService(MessageContract, contract(mode))
      )
    )
    for (let i = 0; i < 1000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    const report: DeliveryReport = yield* Fiber.join(fiber)
    return { report, rejects, sent: transport.requests.flatMap((request) => request.rowNumbers) }
  })

describe("a run's message contract", () => {
  it.effect("reject: the violating rows are rejected with every violation, the others sent", () =>
    Effect.gen(function* () {
      const { report, rejects, sent } = yield* runWith("reject")
      assert.deepStrictEqual(sent, [1, 5])
      assert.deepStrictEqual(
        rejects.map((reject) => [reject.row, reject.stage, reject.reason]),
        [
          [2, "validation", "properties.score: must be number (TRACK)"],
          [3, "validation", "properties.tier: must be one of (TRACK)"],
          [4, "validation", "properties.score: must be number (TRACK); properties.tier: must be one of (TRACK)"]
        ]
      )
      assert.deepStrictEqual(rejects[1]?.values, rows[2])
      assert.strictEqual(report.rows.rejected, 3)
      assert.strictEqual(report.outcome, "completed")
      assert.deepStrictEqual(report.trackingPlan?.byRule, { TRACK: 4 })
      assert.deepStrictEqual(report.trackingPlan?.byProperty, { "properties.score (TRACK)": 2, "properties.tier (TRACK)": 2 })
      assert.strictEqual(report.trackingPlan?.rowsWithViolations, 3)
      assert.strictEqual(report.trackingPlan?.messagesChecked, 5)
    })
  )

  it.effect("reject: the violations count toward the reject limit", () =>
    Effect.gen(function* () {
      const { report, sent } = yield* runWith("reject", { maxRejectedRows: 1 })
      assert.strictEqual(report.fatal?.kind, "max-rejects")
      assert.deepStrictEqual(sent, [])
    })
  )

  it.effect("warn: every row is sent, the violations counted and not rejected", () =>
    Effect.gen(function* () {
      const { report, rejects, sent } = yield* runWith("warn", { maxRejectedRows: 0 })
      assert.deepStrictEqual(sent, [1, 2, 3, 4, 5])
      assert.deepStrictEqual(rejects, [])
      assert.strictEqual(report.outcome, "completed")
      assert.strictEqual(report.rows.rejected, 0)
      assert.strictEqual(report.trackingPlan?.mode, "warn")
      assert.strictEqual(report.trackingPlan?.violations, 4)
      assert.deepStrictEqual(
        report.trackingPlan?.firstRows.map((row) => row.row),
        [2, 3, 4]
      )
    })
  )

  it.effect("without a contract the report has no trackingPlan", () =>
    Effect.gen(function* () {
      const transport = recordingTransport()
      const report = yield* Sync.run({ spec, options: PipelineOptions.parse({}) }).pipe(
        Effect.provide(Layer.mergeAll(memorySource(rows), transport.layer, RejectSink.discard)),
        Effect.forkChild,
        Effect.tap(() => TestClock.adjust(10_000)),
        Effect.flatMap(Fiber.join)
      )
      assert.strictEqual(report.trackingPlan, undefined)
      assert.strictEqual(report.rows.rejected, 0)
    })
  )

  it.effect("preview shows the violations: rejected rows in reject mode, counted in warn mode", () =>
    Effect.gen(function* () {
      const rejected = yield* preview({ spec, limit: 10 }).pipe(
        Effect.provide(memorySource(rows)),
        Effect.provideService(MessageContract, contract("reject"))
      )
      assert.deepStrictEqual(
        rejected.rejects.map((reject) => reject.row),
        [2, 3, 4]
      )
      assert.strictEqual(rejected.messages.length, 2)
      assert.strictEqual(rejected.trackingPlan?.rowsWithViolations, 3)
      const warned = yield* preview({ spec, limit: 10 }).pipe(
        Effect.provide(memorySource(rows)),
        Effect.provideService(MessageContract, contract("warn"))
      )
      assert.strictEqual(warned.messages.length, 5)
      assert.deepStrictEqual(warned.rejects, [])
      assert.strictEqual(warned.trackingPlan?.violations, 4)
    })
  )
})

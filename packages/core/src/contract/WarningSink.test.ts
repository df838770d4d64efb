import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { OutputError, RejectSink } from "../report/RejectSink.ts"
import * as Sync from "../run/Sync.ts"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { recordingTransport } from "../testing/RecordingTransport.ts"
import { type ContractMode, MessageContract, type MessageContractShape } from "./MessageContract.ts"
import { CONTRACT_SAMPLE } from "./ContractTally.ts"
import { type WarnedRow, WarningSink, type WarningSinkShape } from "./WarningSink.ts"
import { scoreTierContract } from "../testing/ScoreTierContract.ts"

const spec = SyncSpec.parse({ event: "Churn Scored", customerId: "customer_id", properties: ["score", "tier"] })

const contract = (mode: ContractMode): MessageContractShape => scoreTierContract(mode, "TRACK A")

// Rows whose number is a multiple of 3 have a bad score, of 5 a bad tier.
const rows = Array.from({ length: 60 }, (_, index) => {
  const n = index + 1
  return { customer_id: `c${n}`, score: n % 3 === 0 ? "high" : String(n / 100), tier: n % 5 === 0 ? "bronze" : "gold" }
})

const runWith = (mode: ContractMode, sink: WarningSinkShape | undefined) =>
  Effect.gen(function* () {
    const transport = recordingTransport()
    const layer = Layer.mergeAll(memorySource(rows), transport.layer, RejectSink.discard)
    const fiber = yield* Effect.forkChild(
      Sync.run({ spec, options: PipelineOptions.parse({ batchCount: 7 }) }).pipe(
        Effect.provide(layer),
        Effect.provideService(MessageContract, contract(mode)),
        Effect.provideService(WarningSink, sink)
      )
    )
    for (let i = 0; i < 1000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    return { report: yield* Fiber.join(fiber), sent: transport.requests.flatMap((request) => request.rowNumbers) }
  })

const collecting = () => {
  const warned: Array<WarnedRow> = []
  return { warned, sink: { write: (batch) => Effect.sync(() => void warned.push(...batch)) } satisfies WarningSinkShape }
}

describe("the warnings output", () => {
  it.effect("warn: every warned row is written once, with its violations and values, and no other row", () =>
    Effect.gen(function* () {
      const { warned, sink } = collecting()
      const { report, sent } = yield* runWith("warn", sink)
      assert.strictEqual(sent.length, 60)
      const expected = rows.map((_, index) => index + 1).filter((n) => n % 3 === 0 || n % 5 === 0)
      assert.deepStrictEqual(
        warned.map((row) => row.row),
        expected
      )
      // More than the report's sample of 20 rows, every one of them counted.
      assert.isAbove(expected.length, CONTRACT_SAMPLE)
      assert.strictEqual(report.trackingPlan?.rowsWithViolations, expected.length)
      const fifteen = warned.find((row) => row.row === 15)
      assert.deepStrictEqual(fifteen?.violations, [
        { rule: "TRACK A", property: "properties.score", text: "properties.score: must be number (TRACK A)" },
        { rule: "TRACK A", property: "properties.tier", text: "properties.tier: must be one of (TRACK A)" }
      ])
      assert.deepStrictEqual(fifteen?.values, rows[14])
    })
  )

  it.effect("reject: nothing is written to the warnings output (the rows go to the rejects)", () =>
    Effect.gen(function* () {
      const { warned, sink } = collecting()
      const { report } = yield* runWith("reject", sink)
      assert.deepStrictEqual(warned, [])
      assert.isAbove(report.rows.rejected, 0)
    })
  )

  it.effect("a warnings output that cannot be written stops the run (kind output)", () =>
    Effect.gen(function* () {
      const { report } = yield* runWith("warn", { write: () => Effect.fail(new OutputError({ message: "cannot write w.jsonl: disk full" })) })
      assert.strictEqual(report.fatal?.kind, "output")
      assert.include(report.fatal?.message ?? "", "w.jsonl")
    })
  )

  it.effect("without a sink the run counts the warned rows and writes nothing", () =>
    Effect.gen(function* () {
      const { report, sent } = yield* runWith("warn", undefined)
      assert.strictEqual(sent.length, 60)
      assert.strictEqual(report.trackingPlan?.rowsWithViolations, 28)
    })
  )
})

import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import { DeliveryTally } from "../report/DeliveryTally.ts"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import type { Fatal } from "../report/Fatal.ts"
import { RejectGate } from "./RejectLimit.ts"

const gate = (options: Parameters<typeof PipelineOptions.parse>[0]) =>
  Effect.gen(function* () {
    const tally = new DeliveryTally(0)
    const stops: Array<Fatal> = []
    const rejectGate = yield* RejectGate.make(PipelineOptions.parse(options), tally, (fatal) => Effect.sync(() => void stops.push(fatal)))
    const opened = yield* Effect.forkChild(rejectGate.opened)
    return { tally, stops, rejectGate, opened }
  })

describe("RejectGate", () => {
  it.effect("without a limit, sending may begin at once", () =>
    Effect.gen(function* () {
      const { rejectGate, opened } = yield* gate({})
      assert.isFalse(rejectGate.limited)
      yield* Fiber.join(opened)
    })
  )

  it.effect("with a share limit, holds sending until the probe rows are read, then opens", () =>
    Effect.gen(function* () {
      const { tally, rejectGate, opened, stops } = yield* gate({ maxRejectedShare: 0.5, rejectProbeRows: 10 })
      tally.countRead(9)
      yield* rejectGate.afterChunk
      yield* TestClock.adjust(1_000)
      assert.isUndefined(opened.pollUnsafe())
      tally.countRead()
      yield* rejectGate.afterChunk
      yield* Fiber.join(opened)
      assert.deepStrictEqual(stops, [])
    })
  )

  it.effect("over the limit, stops the run, before sending anything", () =>
    Effect.gen(function* () {
      const { tally, rejectGate, stops } = yield* gate({ maxRejectedRows: 1 })
      tally.countRead(2)
      tally.countRejected(2)
      yield* rejectGate.afterChunk
      assert.deepStrictEqual(
        stops.map((fatal) => [fatal._tag, fatal.message]),
        [["RejectLimitExceeded", "2 rows rejected, over the limit of 1: stopped before sending anything (see the rejects for why)"]]
      )
    })
  )

  it.effect("at the end of reading, judges a share on every row read, however few", () =>
    Effect.gen(function* () {
      const { tally, rejectGate, stops } = yield* gate({ maxRejectedShare: 0.1, rejectProbeRows: 1_000 })
      tally.countRead(4)
      tally.countRejected(1)
      yield* rejectGate.afterChunk
      assert.deepStrictEqual(stops, [])
      yield* rejectGate.endOfReading
      assert.strictEqual(
        stops[0]?.message,
        "1 of 4 rows rejected (25%), over the limit of 10%: stopped before sending anything (see the rejects for why)"
      )
    })
  )
})

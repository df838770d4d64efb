import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { TestClock } from "effect/testing"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import { OutputError, RejectSink } from "./RejectSink.ts"
import * as Sync from "../run/Sync.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { memorySource } from "../testing/MemorySource.ts"
import { recordingTransport } from "../testing/RecordingTransport.ts"

describe("RejectSink", () => {
  it.effect("a rejects file that cannot be written stops the run as an output failure, with the report", () =>
    Effect.gen(function* () {
      const rows = Array.from({ length: 3_000 }, (_, i) => ({ customer_id: i === 1_500 ? "" : `c${i + 1}`, score: "0.5" }))
      const transport = recordingTransport()
      let writes = 0
      const failing = Layer.succeed(RejectSink, {
        write: () =>
          Effect.suspend(() => {
            writes++
            return Effect.fail(new OutputError({ message: "cannot write the rejects file /x/rejects.jsonl: ENOSPC" }))
          })
      })
      const run = Sync.run({
        spec: SyncSpec.parse({ event: "Scored", customerId: "customer_id" }),
        options: PipelineOptions.parse({ queueCapacity: 100 })
      }).pipe(Effect.provide(Layer.mergeAll(memorySource(rows), transport.layer, failing)))
      const fiber = yield* Effect.forkChild(run)
      for (let i = 0; i < 10_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
      const report = yield* Fiber.join(fiber)
      assert.strictEqual(report.outcome, "aborted")
      assert.deepStrictEqual(report.fatal, { kind: "output", message: "cannot write the rejects file /x/rejects.jsonl: ENOSPC" })
      assert.isAtLeast(writes, 1)
      // Stopped: not every row was read. (The books of an aborted run are the accounting work's to balance.)
      assert.isBelow(report.rows.read, rows.length)
    })
  )
})

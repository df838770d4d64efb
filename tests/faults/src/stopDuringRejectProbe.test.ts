import { CheckpointStore, memoryCheckpointStore, PipelineOptions, RejectSink, Sync, SyncSpec } from "@tablecast/core"
import { memorySource, recordingTransport } from "@tablecast/core/testing"
import { Deferred, Effect, Layer, Stream } from "effect"
import { describe, expect, it } from "vitest"

// A graceful stop while the reject limit's probe is still open (fewer than `rejectProbeRows` rows
// read, the source waiting for more: a slow query, a warehouse between result chunks). Driven
// through the core with a source that never ends, since a CSV file is never that slow; real time,
// because the behaviour under test is about how long the stop takes.

describe("a graceful stop before the reject probe has seen its rows", () => {
  it("flushes the rows read so far at once, as without a limit, instead of waiting out the drain timeout", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ customer_id: `c${i + 1}`, row: i + 1 }))
    const transport = recordingTransport()
    const store = memoryCheckpointStore()
    const drain = Deferred.makeUnsafe<void>()
    const drainTimeoutMillis = 4_000
    const run = Sync.run({
      spec: SyncSpec.parse({ event: "Scored", customerId: "customer_id" }),
      // The limit holds back sending until 1,000 rows are read; the source stops at 300.
      options: PipelineOptions.parse({ maxRejectedShare: 0.05, drainTimeoutMillis }),
      stop: { drain: Deferred.await(drain), now: Effect.never }
    }).pipe(
      Effect.provide(Layer.mergeAll(memorySource(rows, { tail: Stream.never }), transport.layer, RejectSink.discard)),
      Effect.provideService(CheckpointStore, store)
    )
    let drainAt = 0
    setTimeout(() => {
      drainAt = Date.now()
      Deferred.doneUnsafe(drain, Effect.void)
    }, 300)
    const report = await Effect.runPromise(run)
    const stopMillis = Date.now() - drainAt

    expect(report.fatal?.kind).toBe("interrupted")
    expect(report.rows.read).toBe(300)
    // The 300 rows are fine (no rejects), so they are flushed, as the stop promises.
    expect.soft(report.messages.accepted, "messages flushed by the graceful stop").toBe(300)
    expect.soft(transport.requests.length, "requests sent by the graceful stop").toBeGreaterThan(0)
    expect.soft(store.saved.at(-1)?.watermark, "the checkpoint after the stop").toBe(300)
    expect(stopMillis, "the stop waited out the whole drain timeout").toBeLessThan(drainTimeoutMillis / 2)
  })
})

import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { describe, expect, it } from "vitest"
import { RejectSink } from "../report/RejectSink.ts"
import { RunObserver } from "../report/RunObserver.ts"
import * as Sync from "../run/Sync.ts"
import { RowSource, type SourceItem } from "../source/RowSource.ts"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { httpError, recordingTransport } from "../testing/RecordingTransport.ts"
import { REJECT_EXAMPLES_PER_STAGE } from "./RejectExamples.ts"
import { RunProfiler } from "./RunProfiler.ts"

describe("RunProfiler, as a run's observer", () => {
  it("profiles the messages a run maps, its progress and its rejects' rows", async () => {
    // Rows without a customer id are rejected by validation; a 400 refuses the batch holding row 40
    // (the recording transport reads a message's row from its `row` property).
    const rows = Array.from({ length: 60 }, (_, i) => ({
      rowNumber: i + 1,
      values: { id: i % 7 === 3 ? "" : `c${i + 1}`, score: (i + 1) / 100, segment: i % 2 === 0 ? "a" : "b", row: i + 1 }
    }))
    const transport = recordingTransport((request) => (request.rowNumbers.includes(40) ? httpError(400) : "ok"))
    const layer = Layer.mergeAll(
      Layer.succeed(RowSource, {
        description: "memory",
        estimatedRows: Effect.succeed(rows.length),
        fingerprint: Effect.succeed("x"),
        rows: Stream.fromIterable<SourceItem>(rows)
      }),
      transport.layer,
      RejectSink.discard
    )
    const profiler = new RunProfiler()
    const options = PipelineOptions.parse({ batchCount: 10, backoffBaseMillis: 0, flushIntervalMillis: 5 })
    const report = await Effect.runPromise(
      Sync.run({ spec: SyncSpec.parse({ event: "Scored", customerId: "id" }), options }).pipe(
        Effect.provide(layer),
        Effect.provideService(RunObserver, profiler)
      )
    )
    const profile = profiler.profile({ startedAtMillis: Date.parse(report.startedAt) })
    const mapped = rows.filter((row) => row.values.id !== "")
    expect(profile.properties.map((property) => property.path)).toEqual(["properties.score", "properties.segment", "properties.row"])
    const scores = mapped.map((row) => row.values.score)
    expect(profile.properties[0]).toMatchObject({
      kind: "numeric",
      count: mapped.length,
      missing: 0,
      min: Math.min(...scores),
      max: Math.max(...scores)
    })
    const validation = rows.filter((row) => row.values.id === "").map((row) => row.rowNumber)
    expect(profile.rejectExamples.validation).toEqual(validation.slice(0, REJECT_EXAMPLES_PER_STAGE))
    expect(profile.rejectExamples["batch-refused"]).toContain(40)
    expect(report.rejects.byStage["batch-refused"]).toBeGreaterThan(0)
    const last = profile.timeline.at(-1)!
    expect(last).toMatchObject({ rowsRead: report.rows.read, messagesAccepted: report.messages.accepted, inFlight: 0, queued: 0 })
    expect(last.atMillis).toBeLessThanOrEqual(report.durationMillis)
  })
})

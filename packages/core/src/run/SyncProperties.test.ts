import fc from "fast-check"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import { describe, expect, it } from "vitest"
import { SegmentLimits } from "../spec/Limits.ts"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import { RejectSink } from "../report/RejectSink.ts"
import { RowSource, type SourceItem } from "../source/RowSource.ts"
import * as Sync from "./Sync.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { utf8ByteLength } from "../map/Utf8.ts"
import { httpError, recordingTransport } from "../testing/RecordingTransport.ts"

/** Rows of arbitrary sizes (some over the per-message limit) arriving in arbitrary chunks. */
const arrival = fc.record({
  sizes: fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40_000 })), { maxLength: 400 }),
  chunks: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
  failures: fc.array(fc.boolean(), { maxLength: 50 }),
  batchCount: fc.integer({ min: 1, max: 2_500 }),
  batchBytes: fc.integer({ min: 33_000, max: 475_000 }),
  queueCapacity: fc.integer({ min: 1, max: 500 }),
  maxInFlight: fc.integer({ min: 1, max: 8 })
})

describe("Sync.run, for arbitrary rows and arrival patterns", () => {
  it("never breaks a limit, loses or duplicates no row, and keeps the stream's order", async () => {
    await fc.assert(
      fc.asyncProperty(arrival, async (a) => {
        const items: Array<SourceItem> = a.sizes.map((size, i) => ({
          rowNumber: i + 1,
          values: { id: `u${i + 1}`, row: i + 1, pad: "é".repeat(Math.floor(size / 2)) }
        }))
        const chunks: Array<ReadonlyArray<SourceItem>> = []
        for (let i = 0, c = 0; i < items.length; c++) {
          const size = a.chunks[c % a.chunks.length]!
          chunks.push(items.slice(i, i + size))
          i += size
        }
        // A retryable failure on some first attempts: retries must neither lose nor duplicate.
        const transport = recordingTransport((request, index) =>
          request.attempt === 1 && a.failures[index % Math.max(1, a.failures.length)] ? httpError(503) : "ok"
        )
        const rejected: Array<number> = []
        const layer = Layer.mergeAll(
          Layer.succeed(RowSource, {
            description: "arbitrary",
            estimatedRows: Effect.succeed(items.length),
            fingerprint: Effect.succeed("x"),
            rows: Stream.fromIterable(chunks).pipe(Stream.flatMap((chunk) => Stream.fromArray(chunk)))
          }),
          transport.layer,
          Layer.succeed(RejectSink, { write: (rejects) => Effect.sync(() => void rejected.push(...rejects.map((r) => r.row))) })
        )
        const options = PipelineOptions.parse({
          batchCount: a.batchCount,
          batchBytes: a.batchBytes,
          queueCapacity: a.queueCapacity,
          maxInFlight: a.maxInFlight,
          backoffBaseMillis: 0,
          flushIntervalMillis: 5
        })
        const report = await Effect.runPromise(
          Sync.run({ spec: SyncSpec.parse({ event: "E", customerId: "id" }), options }).pipe(Effect.provide(layer), Random.withSeed(1))
        )
        for (const request of transport.requests) {
          expect(request.messageIds.length).toBeLessThanOrEqual(a.batchCount)
          expect(request.bodyBytes).toBeLessThanOrEqual(a.batchBytes)
        }
        // First attempts, in the order they were posted, carry the rows in stream order.
        const firstAttempts = transport.requests.filter((r) => r.attempt === 1).flatMap((r) => r.rowNumbers)
        const expectedRows = items.map((item) => (item as { rowNumber: number }).rowNumber).filter((row) => !rejected.includes(row))
        expect(firstAttempts).toEqual(expectedRows)
        expect(transport.accepted.length).toBe(new Set(transport.accepted).size)
        expect(transport.accepted.length).toBe(expectedRows.length)
        expect(rejected.every((row) => utf8ByteLength(JSON.stringify(items[row - 1])) > SegmentLimits.maxMessageBytes - 400)).toBe(true)
        expect(report.rows.read).toBe(items.length)
        expect(report.rows.mapped + report.rows.rejected).toBe(items.length)
        expect(report.messages.accepted).toBe(expectedRows.length)
        expect(report.outcome).toBe("completed")
      }),
      { numRuns: 60 }
    )
  })
})

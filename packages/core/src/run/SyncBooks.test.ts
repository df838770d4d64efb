import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { imbalanceOf } from "../report/Books.ts"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { PipelineOptions, type PipelineOptionsInput } from "../spec/PipelineOptions.ts"
import { ProgressListener } from "../report/Progress.ts"
import { type RejectedRow, RejectSink } from "../report/RejectSink.ts"
import type { SourceItem } from "../source/RowSource.ts"
import * as Sync from "./Sync.ts"
import { SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"
import { memorySource, type MemorySourceOptions } from "../testing/MemorySource.ts"
import { type Answer, type RecordedRequest, recordingTransport } from "../testing/RecordingTransport.ts"
import { Transport } from "../send/Transport.ts"

// The accounting invariant under hostile input and internal defects: no row's failure ends a run
// early, no defect is read as the end of the source, and a run whose books do not balance fails.

const deepText = `${"[".repeat(6_000)}${"]".repeat(6_000)}`
/** `[[[…]]]` 6,000 deep, as a warehouse driver hands a parsed json/jsonb value. */
const deepValue = (): unknown => {
  let value: unknown = []
  for (let i = 0; i < 6_000; i++) value = [value]
  return value
}

const rows = (count: number, payload: (row: number) => unknown = (row) => `{"n":${row}}`) =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, row: i + 1, payload: payload(i + 1) }))

interface Harness {
  readonly rows: ReadonlyArray<Record<string, unknown>>
  readonly spec?: SyncSpecInput
  readonly options?: PipelineOptionsInput
  readonly source?: MemorySourceOptions
  readonly answer?: (request: RecordedRequest, index: number) => Answer
  readonly transport?: Layer.Layer<Transport>
  readonly rejectSink?: Layer.Layer<RejectSink>
  readonly onProgress?: () => void
}

const harness = (h: Harness) => {
  const transport = recordingTransport(h.answer)
  const rejects: Array<RejectedRow> = []
  const layer = Layer.mergeAll(
    memorySource(h.rows, h.source),
    h.transport ?? transport.layer,
    h.rejectSink ?? Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
  )
  let run = Sync.run({
    spec: SyncSpec.parse(h.spec ?? { event: "Scored", customerId: "customer_id", columns: { payload: "json" } }),
    options: PipelineOptions.parse(h.options ?? {})
  }).pipe(Effect.provide(layer), Random.withSeed(7))
  if (h.onProgress !== undefined) run = run.pipe(Effect.provideService(ProgressListener, { intervalMillis: 1_000, onProgress: h.onProgress }))
  return { run, transport, rejects }
}

const runToEnd = (run: Effect.Effect<DeliveryReport>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 10_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    return yield* Fiber.join(fiber)
  })

const sentRows = (requests: ReadonlyArray<RecordedRequest>) => requests.flatMap((request) => request.rowNumbers).sort((a, b) => a - b)

describe("Sync.run: one row's failure never ends the run", () => {
  it.effect("a JSON column nested 6,000 deep in row 5 of 10: that row is rejected with its column and reason, the other 9 delivered", () =>
    Effect.gen(function* () {
      const { run, transport, rejects } = harness({ rows: rows(10, (row) => (row === 5 ? deepText : `{"n":${row}}`)) })
      const report = yield* runToEnd(run)
      assert.deepStrictEqual(report.rows, { read: 10, mapped: 9, rejected: 1, skipped: 0 })
      assert.deepStrictEqual(sentRows(transport.requests), [1, 2, 3, 4, 6, 7, 8, 9, 10])
      assert.strictEqual(report.messages.accepted, 9)
      assert.strictEqual(rejects.length, 1)
      assert.deepInclude(rejects[0]!, {
        row: 5,
        stage: "validation",
        column: "payload",
        reason: 'column "payload": value nested deeper than 64 levels'
      })
      assert.strictEqual(report.outcome, "completed")
      assert.isUndefined(report.fatal)
      assert.isUndefined(imbalanceOf(report))
    })
  )

  it.effect("the same for a value the source parsed already (a warehouse's json/jsonb), as auto", () =>
    Effect.gen(function* () {
      const { run, transport, rejects } = harness({
        rows: rows(10, (row) => (row === 5 ? deepValue() : { n: row })),
        spec: { event: "Scored", customerId: "customer_id" }
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.messages.accepted, 9)
      assert.deepStrictEqual(sentRows(transport.requests), [1, 2, 3, 4, 6, 7, 8, 9, 10])
      assert.deepStrictEqual(
        rejects.map(({ row, column, reason }) => ({ row, column, reason })),
        [{ row: 5, column: "payload", reason: 'column "payload": value nested deeper than 64 levels' }]
      )
    })
  )

  it.effect("a value JSON cannot write at all (a bigint inside an object) is rejected by the catch-all, with the error's message", () =>
    Effect.gen(function* () {
      const { run, rejects } = harness({
        rows: rows(3, (row) => (row === 2 ? { big: 10n } : { n: row })),
        spec: { event: "Scored", customerId: "customer_id" }
      })
      const report = yield* runToEnd(run)
      assert.deepStrictEqual(report.rows, { read: 3, mapped: 2, rejected: 1, skipped: 0 })
      assert.strictEqual(report.messages.accepted, 2)
      assert.strictEqual(rejects[0]!.row, 2)
      assert.match(rejects[0]!.reason, /^the row could not be mapped: TypeError: .*BigInt/)
    })
  )
})

describe("Sync.run: an internal defect is never the end of a source, nor a completed run", () => {
  it.effect("a source stream that dies mid-way: the run fails as internal; what was read before is delivered; the books balance", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({
        rows: rows(250),
        source: { tail: Stream.fromEffect(Effect.die(new RangeError("Maximum call stack size exceeded"))) as Stream.Stream<SourceItem> }
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "aborted")
      assert.deepStrictEqual(report.fatal, { kind: "internal", message: "reading failed: RangeError: Maximum call stack size exceeded" })
      assert.strictEqual(report.messages.accepted, 250)
      assert.strictEqual(transport.accepted.length, 250)
      assert.isUndefined(imbalanceOf(report))
    })
  )

  it.effect("a transport that throws: the run stops as internal, its batch and the rest undelivered, nothing counted accepted that was not", () =>
    Effect.gen(function* () {
      let calls = 0
      const accepted: Array<number> = []
      const transport = Layer.succeed(Transport, {
        endpoint: "memory://defect",
        envelopeBytes: 60,
        send: (batch) =>
          Effect.suspend(() => {
            if (++calls === 3) throw new TypeError("cannot read properties of undefined (reading 'status')")
            accepted.push(batch.messages.length)
            return Effect.succeed({ status: 200, bodyBytes: batch.messageBytes })
          })
      })
      const { run } = harness({ rows: rows(1_000), transport, options: { maxInFlight: 1, batchCount: 100 } })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "aborted")
      assert.strictEqual(report.fatal?.kind, "internal")
      assert.match(report.fatal!.message, /^delivering a batch failed: TypeError: cannot read properties/)
      assert.strictEqual(
        report.messages.accepted,
        accepted.reduce((a, b) => a + b, 0)
      )
      assert.isAbove(report.messages.undelivered, 0)
      assert.isUndefined(imbalanceOf(report))
    })
  )

  it.effect("a progress listener that throws: the run fails as internal, never completed", () =>
    Effect.gen(function* () {
      const { run } = harness({
        rows: rows(300),
        onProgress: () => {
          throw new Error("the terminal went away")
        }
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "aborted")
      assert.deepStrictEqual(report.fatal, { kind: "internal", message: "the progress listener failed: Error: the terminal went away" })
      assert.isUndefined(imbalanceOf(report))
    })
  )

  it.effect("a defect that loses rows (a reject sink that throws mid-chunk): the run fails as unbalanced, with the count unaccounted for", () =>
    Effect.gen(function* () {
      const rejectSink = Layer.succeed(RejectSink, {
        write: () => {
          throw new Error("disk gone")
        }
      })
      // Row 150 has no customer id: its reject is written with the second chunk's, and the sink throws.
      const { run, transport } = harness({
        rows: rows(300).map((values) => (values.row === 150 ? { ...values, customer_id: "" } : values)),
        rejectSink
      })
      const report = yield* runToEnd(run)
      assert.strictEqual(report.outcome, "aborted")
      assert.strictEqual(report.fatal?.kind, "unbalanced")
      // The first chunk of 100 rows went out; the second was counted but never queued.
      assert.strictEqual(transport.accepted.length, 100)
      assert.deepStrictEqual(imbalanceOf(report), { rows: 0, messages: 99 })
      assert.include(report.fatal!.message, "99 messages built unaccounted for (built 199 ≠ accepted 100 + refused 0 + undelivered 0)")
      assert.include(report.fatal!.message, "(internal: reading failed: Error: disk gone)")
    })
  )

  it.effect("a dry run balances: its planned messages are settled by the plan", () =>
    Effect.gen(function* () {
      const { run, transport } = harness({ rows: rows(250), options: { dryRun: true } })
      const report = yield* runToEnd(run)
      assert.strictEqual(transport.requests.length, 0)
      assert.strictEqual(report.outcome, "completed")
      assert.strictEqual(report.messages.built, 250)
    })
  )
})

import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import { TestClock } from "effect/testing"
import type { IncrementalResult } from "./IncrementalSync.ts"
import { runIncremental } from "./IncrementalSync.ts"
import { PipelineOptions, type PipelineOptionsInput, type RejectedRow, RejectSink } from "@tablecast/core"
import { memorySnapshotStore, SnapshotStore } from "./Snapshot.ts"
import { memorySource } from "@tablecast/core/testing"
import { type Answer, httpError, type RecordedRequest, recordingTransport } from "@tablecast/core/testing"
import { IncrementalSyncSpec, type IncrementalSyncSpecInput } from "./IncrementalSyncSpec.ts"

interface Row {
  customer_id: string
  score: number
  segment: string
  scored_at?: string
}

const model = (count: number): Array<Row> =>
  Array.from({ length: count }, (_, i) => ({ customer_id: `c${i + 1}`, score: Math.round(((i * 37) % 100) * 10) / 1000, segment: `s${i % 4}` }))

const churn: IncrementalSyncSpecInput = {
  name: "churn",
  event: "Churn Scored",
  customerId: "customer_id",
  timestamp: "scored_at",
  incremental: { mode: "all", tolerance: { score: { absolute: 0.01 } } }
}

type Message = {
  type: string
  userId?: string
  event?: string
  messageId: string
  properties?: Record<string, unknown>
  traits?: Record<string, unknown>
}

/** Runs one incremental run against the shared store and a fresh recording transport. */
const runOnce = (
  store: ReturnType<typeof memorySnapshotStore>,
  rows: ReadonlyArray<object>,
  h: {
    spec?: IncrementalSyncSpecInput
    options?: PipelineOptionsInput
    answer?: (request: RecordedRequest, index: number) => Answer
    full?: boolean
    force?: boolean
    planOnly?: boolean
    stopNowAfterRequests?: number
  } = {}
) =>
  Effect.gen(function* () {
    const rejects: Array<RejectedRow> = []
    const now = yield* Deferred.make<void>()
    const transport = recordingTransport((request, index) => {
      if (h.stopNowAfterRequests !== undefined && index >= h.stopNowAfterRequests) {
        Deferred.doneUnsafe(now, Effect.void)
        return Effect.never
      }
      return h.answer?.(request, index) ?? "ok"
    })
    const spec = IncrementalSyncSpec.parse(h.spec ?? churn)
    const run = runIncremental({
      spec,
      options: PipelineOptions.parse({ batchCount: 10, ...h.options }),
      stop: { drain: Effect.never, now: Deferred.await(now) },
      ...(h.full === undefined ? {} : { full: h.full }),
      ...(h.force === undefined ? {} : { force: h.force }),
      ...(h.planOnly === undefined ? {} : { planOnly: h.planOnly })
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          memorySource(rows as ReadonlyArray<Record<string, unknown>>, { chunkSize: 7 }),
          transport.layer,
          Layer.succeed(RejectSink, { write: (batch) => Effect.sync(() => void rejects.push(...batch)) })
        )
      ),
      Effect.provideService(SnapshotStore, store),
      Random.withSeed(5)
    )
    const fiber = yield* Effect.forkChild(run)
    for (let i = 0; i < 20_000 && fiber.pollUnsafe() === undefined; i++) yield* TestClock.adjust(100)
    const result: IncrementalResult = yield* Fiber.join(fiber)
    return { result, report: result.report, plan: result.plan!, transport, acceptedIds: new Set(transport.accepted), rejects }
  })

const snapshotKeys = (store: ReturnType<typeof memorySnapshotStore>, sync = "churn") => [...store.entries(sync).keys()].sort()

/** The messages a recording transport accepted, parsed back from the committed changes. */
const committedMessages = (store: ReturnType<typeof memorySnapshotStore>) =>
  store.commits.flatMap((changes) => changes.flatMap((change) => change.messages.map((message) => JSON.parse(message.json) as Message)))

describe("incremental syncs", () => {
  it.effect("sends every row on the first run, nothing on an unchanged second run", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const first = yield* runOnce(store, model(50))
      assert.strictEqual(first.report.outcome, "completed")
      assert.strictEqual(first.plan.rows.added, 50)
      assert.strictEqual(first.report.messages.accepted, 50)
      assert.strictEqual(snapshotKeys(store).length, 50)

      const second = yield* runOnce(store, model(50))
      assert.strictEqual(second.plan.rows.unchanged, 50)
      assert.strictEqual(second.transport.requests.length, 0)
      assert.strictEqual(second.report.rows.read, 50)
      assert.strictEqual(second.report.rows.skipped, 50)
      assert.strictEqual(second.report.outcome, "completed")
    })
  )

  it.effect("sends added, changed and removed rows; moves below the tolerance and timestamps alone do not count", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(20))
      const next = model(20).map((row) => ({ ...row, scored_at: "2026-11-28T00:00:00Z" }))
      next[0]!.score += 0.001 // jitter: below 0.01
      next[1]!.score += 0.2 // a real move
      next[2]!.segment = "s9" // a label: any change counts
      next.splice(5, 1) // c6 left the table
      next.push({ customer_id: "c99", score: 0.5, segment: "s1", scored_at: "2026-11-28T00:00:00Z" })
      const run = yield* runOnce(store, next)
      assert.deepStrictEqual(
        { added: run.plan.rows.added, changed: run.plan.rows.changed, removed: run.plan.rows.removed, unchanged: run.plan.rows.unchanged },
        { added: 1, changed: 2, removed: 1, unchanged: 17 }
      )
      assert.strictEqual(run.plan.rows.withinTolerance, 1)
      assert.strictEqual(run.report.messages.accepted, 4)
      const sent = committedMessages(store).slice(20)
      assert.deepStrictEqual(sent.map((message) => message.userId).sort(), ["c2", "c3", "c6", "c99"])
      const exit = sent.find((message) => message.userId === "c6")!
      assert.strictEqual(exit.event, "Segment Exited")
      assert.deepStrictEqual(exit.properties, { customer_id: "c6", sync: "churn" })
      assert.deepStrictEqual(
        snapshotKeys(store),
        [
          ...model(20)
            .map((row) => `["${row.customer_id}"]`)
            .filter((key) => key !== '["c6"]'),
          '["c99"]'
        ].sort()
      )
      // The jittered row keeps its last delivered score in the snapshot: drift adds up until it counts.
      assert.include(store.entries("churn").get('["c1"]')!.values, `"score":${model(20)[0]!.score}`)
      // The plan shows before and after.
      const changed = run.plan.sample.find((change) => change.key === '["c2"]')!
      assert.strictEqual(changed.kind, "changed")
      assert.deepStrictEqual(
        changed.changes.find((change) => change.column === "score"),
        { column: "score", before: model(20)[1]!.score, after: next[1]!.score }
      )
    })
  )

  it.effect("a refused message leaves its row out of the snapshot, and the next run sends it again", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      // The endpoint refuses any request holding one message of the second batch: the batch is
      // sent again in halves, and only that message's row stays out.
      let refused: string | undefined
      const first = yield* runOnce(store, model(40), {
        answer: (request, index) => {
          if (index === 1) refused = request.messageIds[3]
          return refused !== undefined && request.messageIds.includes(refused) ? httpError(400) : "ok"
        }
      })
      assert.strictEqual(first.report.outcome, "incomplete")
      assert.strictEqual(first.report.messages.refused, 1)
      assert.strictEqual(snapshotKeys(store).length, 39)
      const second = yield* runOnce(store, model(40))
      assert.strictEqual(second.plan.rows.added, 1)
      assert.strictEqual(second.plan.rows.unchanged, 39)
      assert.strictEqual(second.report.messages.accepted, 1)
      assert.strictEqual(snapshotKeys(store).length, 40)
    })
  )

  it.effect("a run stopped at once never commits a row it has no 2xx for; the next run sends the rest", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const first = yield* runOnce(store, model(100), { stopNowAfterRequests: 3 })
      assert.strictEqual(first.report.fatal?.kind, "interrupted")
      const committed = committedMessages(store).map((message) => message.messageId)
      for (const id of committed) assert.isTrue(first.acceptedIds.has(id), `committed ${id} without a 2xx`)
      assert.strictEqual(committed.length, first.acceptedIds.size)
      assert.isBelow(committed.length, 100)
      const second = yield* runOnce(store, model(100))
      assert.strictEqual(second.plan.rows.added, 100 - committed.length)
      assert.strictEqual(snapshotKeys(store).length, 100)
    })
  )

  it.effect("the guard stops a run whose changes are over the threshold before anything is sent; --force sends", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(20))
      const broken = model(20).map((row) => ({ ...row, score: 0 }))
      const guarded = yield* runOnce(store, broken)
      assert.strictEqual(guarded.report.fatal?.kind, "guard")
      assert.match(guarded.report.fatal!.message, /over the guard's 50%/)
      assert.strictEqual(guarded.transport.requests.length, 0)
      assert.strictEqual(store.commits.length, 2)
      const forced = yield* runOnce(store, broken, { force: true })
      assert.isTrue(forced.plan.guard.forced)
      assert.strictEqual(forced.report.outcome, "completed")
      assert.isAbove(forced.report.messages.accepted, 10)
    })
  )

  it.effect("reports a duplicate key as a reject naming the first row; the first row counts", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const rows = model(10)
      rows.push({ ...rows[3]!, score: 0.99 })
      const run = yield* runOnce(store, rows)
      assert.strictEqual(run.plan.rows.duplicates, 1)
      assert.strictEqual(run.rejects.length, 1)
      assert.strictEqual(run.rejects[0]!.row, 11)
      assert.match(run.rejects[0]!.reason, /duplicate key \["c4"\]: row 4 has it too/)
      assert.strictEqual(run.report.rows.rejected, 1)
      assert.strictEqual(run.report.messages.accepted, 10)
      assert.strictEqual(run.report.rows.read, run.report.rows.mapped + run.report.rows.rejected + run.report.rows.skipped)
    })
  )

  it.effect("each mode sends only its kind of change", () =>
    Effect.gen(function* () {
      const changedAndAdded = () => {
        const rows = model(10)
        rows[0]!.segment = "moved"
        rows.splice(9, 1)
        rows.push({ customer_id: "new", score: 0.1, segment: "s0" })
        return rows
      }
      const expectations = [
        ["added", ["new"]],
        ["changed", ["c1"]],
        ["added-or-changed", ["c1", "new"]],
        ["removed", ["c10"]],
        ["all", ["c1", "c10", "new"]]
      ] as const
      for (const [mode, users] of expectations) {
        const store = memorySnapshotStore()
        const spec = { ...churn, incremental: { mode, guard: { maxChangedShare: 1, maxRemovedShare: 1 } } }
        yield* runOnce(store, model(10), { spec, full: true })
        const run = yield* runOnce(store, changedAndAdded(), { spec })
        const sent = committedMessages(store)
          .slice(10)
          .map((message) => message.userId)
        assert.deepStrictEqual(sent.sort(), [...users], mode)
        assert.strictEqual(run.report.messages.accepted, users.length, mode)
      }
    })
  )

  it.effect("a full run sends every row and rebuilds the snapshot", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(10))
      const run = yield* runOnce(store, model(8), { full: true, spec: { ...churn, incremental: { mode: "added-or-changed" } } })
      assert.strictEqual(run.report.messages.accepted, 8)
      assert.strictEqual(run.report.incremental?.snapshot.forgotten, 2)
      assert.strictEqual(snapshotKeys(store).length, 8)
    })
  )

  it.effect("an identify sync clears the traits of a removed row", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const spec: IncrementalSyncSpecInput = {
        name: "rfm",
        type: "identify",
        customerId: "customer_id",
        key: ["customer_id"],
        incremental: { mode: "all", guard: { maxRemovedShare: 1 } }
      }
      yield* runOnce(store, model(3), { spec })
      yield* runOnce(store, model(2), { spec })
      const removal = committedMessages(store).at(-1)!
      assert.deepStrictEqual(
        { type: removal.type, userId: removal.userId, traits: removal.traits },
        { type: "identify", userId: "c3", traits: { score: null, segment: null } }
      )
      assert.deepStrictEqual([...store.entries("rfm").keys()], ['["c1"]', '["c2"]'])
    })
  )

  it.effect("a row that changes back is sent with a new messageId; a retried change keeps its id", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      const a = model(1)
      const b = [{ ...a[0]!, segment: "other" }]
      const spec = { ...churn, incremental: { guard: { maxChangedShare: 1 } } }
      yield* runOnce(store, a, { spec })
      yield* runOnce(store, b, { spec })
      yield* runOnce(store, a, { spec })
      const ids = committedMessages(store).map((message) => message.messageId)
      assert.strictEqual(new Set(ids).size, 3)

      const retried = memorySnapshotStore()
      const failed = yield* runOnce(retried, a, { answer: () => httpError(400) })
      const again = yield* runOnce(retried, a)
      assert.strictEqual(failed.transport.requests[0]!.messageIds[0], again.transport.requests[0]!.messageIds[0])
    })
  )

  it.effect("a plan counts, estimates and samples without sending or changing the snapshot", () =>
    Effect.gen(function* () {
      const store = memorySnapshotStore()
      yield* runOnce(store, model(30))
      const next = model(30)
      next[4]!.score = 0.9
      next.push({ customer_id: "n1", score: 0.2, segment: "s1" }, { customer_id: "n2", score: 0.3, segment: "s1" })
      const plan = yield* runOnce(store, next, { planOnly: true })
      assert.strictEqual(plan.transport.requests.length, 0)
      assert.strictEqual(store.commits.length, 3)
      assert.deepStrictEqual(
        { added: plan.plan.rows.added, changed: plan.plan.rows.changed, messages: plan.plan.send.messages, requests: plan.plan.send.requests },
        { added: 2, changed: 1, messages: 3, requests: 1 }
      )
      assert.deepStrictEqual(plan.plan.users, { touched: 3, new: 2 })
      assert.strictEqual(plan.report.batches.planned, 1)
      const applied = yield* runOnce(store, next)
      assert.strictEqual(applied.report.messages.accepted, 3)
    })
  )
})

import { assert, describe, it } from "@effect/vitest"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { TestClock } from "effect/testing"
import { DeliveryTally } from "../report/DeliveryTally.ts"
import { type BuiltMessage, compileMapper } from "../map/MessageMapper.ts"
import { PipelineOptions } from "../spec/PipelineOptions.ts"
import type { Fatal } from "../report/Fatal.ts"
import { Settlement } from "../report/Settlement.ts"
import type { RejectedRow } from "../report/RejectSink.ts"
import { RunPosition } from "../resume/RunPosition.ts"
import { RowRangeSet } from "../resume/RowRanges.ts"
import { SourceError, type SourceItem } from "./RowSource.ts"
import { RejectGate } from "../run/RejectLimit.ts"
import { StopControl } from "../run/StopControl.ts"
import { SyncSpec } from "../spec/SyncSpec.ts"
import { makeReader } from "./Reader.ts"

const spec = SyncSpec.parse({ event: "Scored", customerId: "customer_id" })
const row = (rowNumber: number, customer = `c${rowNumber}`): SourceItem => ({ rowNumber, values: { customer_id: customer, row: rowNumber } })

/** Takes what is left in an ended queue: the rows of its messages. */
const takeToEnd = (queue: Queue.Queue<BuiltMessage, Cause.Done>) =>
  Effect.gen(function* () {
    const rows: Array<number> = []
    while (true) {
      const taken = yield* Effect.result(Queue.takeAll(queue))
      if (Result.isFailure(taken)) return rows
      for (const message of taken.success) rows.push(message.rowNumber)
    }
  })

const harness = (
  items: ReadonlyArray<SourceItem>,
  options: { capacity?: number; chunk?: number; skipThrough?: number; carried?: RowRangeSet; tail?: Stream.Stream<SourceItem, SourceError> } = {}
) =>
  Effect.gen(function* () {
    const tally = new DeliveryTally(0)
    const stop = yield* StopControl.make(tally)
    const rejects: Array<RejectedRow> = []
    const stops: Array<Fatal> = []
    const abort = (fatal: Fatal) => Effect.sync(() => void stops.push(fatal)).pipe(Effect.andThen(stop.abort(fatal)))
    const writeRejects = (written: ReadonlyArray<RejectedRow>) => Effect.sync(() => void rejects.push(...written))
    const position = new RunPosition(options.skipThrough ?? 0, options.carried ?? new RowRangeSet())
    const settlement = new Settlement({ tally, acks: position.acks, writeRejects, stop: abort })
    const queue = yield* Queue.bounded<BuiltMessage, Cause.Done>(options.capacity ?? 100)
    const rejectGate = yield* RejectGate.make(PipelineOptions.parse({}), tally, abort)
    const rows = Stream.fromIterable(items).pipe(Stream.rechunk(options.chunk ?? 2), Stream.concat(options.tail ?? Stream.empty))
    const reader = makeReader({
      rows,
      map: compileMapper(spec, { name: "t", version: "0" }),
      recounting: true,
      queue,
      tally,
      position,
      settlement,
      writeRejects,
      rejectGate,
      stop
    })
    return { tally, rejects, stops, position, queue, reader, stop }
  })

describe("makeReader", () => {
  it.effect("waits while the queue is full (backpressure), and reads on as it is taken from", () =>
    Effect.gen(function* () {
      const h = yield* harness(
        [1, 2, 3, 4, 5, 6].map((n) => row(n)),
        { capacity: 2, chunk: 2 }
      )
      const fiber = yield* Effect.forkChild(h.reader.read)
      yield* TestClock.adjust(1_000)
      // The first chunk filled the queue; the second is mapped and waiting to be offered.
      assert.strictEqual(h.position.readThrough, 2)
      assert.strictEqual(h.tally.rowsRead, 4)
      assert.isTrue(h.reader.isOffering())
      assert.isUndefined(fiber.pollUnsafe())
      // Taking to the end of the queue means reading ended and ended it.
      assert.deepStrictEqual(yield* takeToEnd(h.queue), [1, 2, 3, 4, 5, 6])
      yield* Fiber.join(fiber)
      assert.strictEqual(h.position.readThrough, 6)
      assert.isFalse(h.reader.isOffering())
    })
  )

  it.effect("skips what the interrupted run settled, sends its undelivered rows again, rejects what cannot be mapped", () =>
    Effect.gen(function* () {
      const h = yield* harness([row(1), row(2), row(3), row(4, ""), row(5)], { skipThrough: 3, carried: new RowRangeSet([[2, 2]]) })
      yield* h.reader.read
      assert.deepStrictEqual(yield* takeToEnd(h.queue), [2, 5])
      assert.deepStrictEqual(
        h.rejects.map((reject) => [reject.row, reject.stage]),
        [[4, "validation"]]
      )
      const { rows } = h.tally.report({ sync: "s", source: "m", endpoint: "e", dryRun: false }, 0)
      assert.deepStrictEqual(rows, { read: 5, mapped: 2, rejected: 1, skipped: 2 })
    })
  )

  it.effect("a source that fails mid-way: what was read is queued, and the run says why it ended", () =>
    Effect.gen(function* () {
      const h = yield* harness([row(1), row(2)], { tail: Stream.fail(new SourceError({ message: "connection lost", code: "connection" })) })
      yield* h.reader.read
      assert.deepStrictEqual(yield* takeToEnd(h.queue), [1, 2])
      assert.deepStrictEqual([h.tally.fatal?._tag, h.tally.fatal?.message], ["SourceFailed", "connection lost"])
    })
  )

  it.effect("stops at its next chunk on a graceful stop", () =>
    Effect.gen(function* () {
      const h = yield* harness(
        [1, 2, 3, 4, 5, 6].map((n) => row(n)),
        { capacity: 2, chunk: 2 }
      )
      const fiber = yield* Effect.forkChild(h.reader.read)
      yield* TestClock.adjust(1)
      h.stop.stopping = true
      assert.deepStrictEqual(yield* takeToEnd(h.queue), [1, 2, 3, 4])
      yield* Fiber.join(fiber)
      assert.strictEqual(h.tally.rowsRead, 4)
    })
  )
})

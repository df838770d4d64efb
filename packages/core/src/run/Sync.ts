import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import type * as Stream from "effect/Stream"
import { BatchBuilder } from "../batch/Batcher.ts"
import { batchLoop } from "../batch/BatchLoop.ts"
import { CheckpointStore } from "../resume/Checkpoint.ts"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { DeliveryTally } from "../report/DeliveryTally.ts"
import { portableForSync } from "../map/CallGates.ts"
import { type BuiltMessage, type LibraryInfo, syncNamespace } from "../map/MessageMapper.ts"
import type { PipelineOptions } from "../spec/PipelineOptions.ts"
import { ProgressListener } from "../report/Progress.ts"
import { type Fatal, internalDefect } from "../report/Fatal.ts"
import { makeRejectWriter } from "../report/RejectWriter.ts"
import { type OnSettled, Settlement } from "../report/Settlement.ts"
import { RejectSink } from "../report/RejectSink.ts"
import { RunObserver } from "../report/RunObserver.ts"
import { makeCheckpointWriter } from "../resume/CheckpointWriter.ts"
import { type ResumePoint, resumePoint } from "../resume/ResumePoint.ts"
import { RunPosition } from "../resume/RunPosition.ts"
import { type PreparedRow, RowSource, type SourceError, type SourceItem } from "../source/RowSource.ts"
import { SendingPolicy } from "../send/SendingPolicy.ts"
import { Dispatcher } from "../send/Dispatcher.ts"
import { makeReader } from "../source/Reader.ts"
import { callsOf, type SyncSpec } from "../spec/SyncSpec.ts"
import { Transport } from "../send/Transport.ts"
import { VERSION } from "../Version.ts"
import { type Preflight, preflight } from "./Preflight.ts"
import { RejectGate } from "./RejectLimit.ts"
import { StopControl, type StopRequests } from "./StopControl.ts"
import { ContractTally } from "../contract/ContractTally.ts"
import { MessageContract } from "../contract/MessageContract.ts"

export { missingColumns } from "../spec/MissingColumns.ts"
export type { DeliveryReport, StopRequests }
export type { SettleFailure } from "../report/Settlement.ts"

export interface SyncInput {
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  /** Sent as `context.library`; apps pass their own name and version. */
  readonly library?: LibraryInfo
  /** `auto` resumes an interrupted run from its checkpoint; `restart` ignores the checkpoint. */
  readonly resume?: "auto" | "restart"
  readonly stop?: StopRequests
  /**
   * Told of each batch once it is settled: `accepted` after a 2xx, otherwise refused or undelivered.
   * An incremental sync advances its snapshot here, so the snapshot is never ahead of delivery. A
   * failure stops the run.
   */
  readonly onSettled?: OnSettled
  /** Rows built and checked before the run, read instead of the source's rows (an incremental sync's changes). */
  readonly prepared?: Stream.Stream<PreparedRow, SourceError>
}

/**
 * Runs a sync: reads the source, maps and validates each row, batches and sends, and returns the
 * delivery report. Never fails: a fatal error ends the run and is told in `report.fatal`.
 *
 * The stages: the preflight (mapping, source size and columns, checkpoint), then the reader
 * (`source/Reader`) maps rows into a bounded queue, the batch loop (`batch/BatchLoop`) fills
 * batches by count, bytes and time, the dispatcher (`send/Dispatcher`) sends each under the
 * sending policy, and settlement (`report/Settlement`) accounts for every message in the tally.
 * Stop control (`run/StopControl`) ends it early; the books are checked at the end.
 */
export const run = Effect.fn("Sync.run")(function* (input: SyncInput) {
  const { spec, options } = input
  const source = yield* RowSource
  const transport = yield* Transport
  const listener = yield* ProgressListener
  const observer = yield* RunObserver
  const store = options.dryRun ? undefined : yield* CheckpointStore
  const tally = new DeliveryTally(yield* Clock.currentTimeMillis)
  const contractShape = yield* MessageContract
  const contract = contractShape === undefined ? undefined : new ContractTally(contractShape, spec.event)
  tally.watchContract(contract)
  const library = input.library ?? { name: "tablecast", version: VERSION }
  const sync = syncNamespace(spec)
  const meta = {
    sync,
    source: source.description,
    endpoint: options.dryRun ? "(dry run: nothing sent)" : transport.endpoint,
    dryRun: options.dryRun
  }
  /** Tells the listener; a listener that throws is a bug that fails the run (never one that hangs it). */
  const tellProgress = (now: number): Fatal | undefined => {
    try {
      const snapshot = tally.snapshot(now)
      listener.onProgress(snapshot)
      observer?.onProgress(snapshot, now)
      return undefined
    } catch (error) {
      return internalDefect("the progress listener failed", error)
    }
  }
  const ready = yield* preflight({
    spec,
    library,
    source,
    tally,
    prepared: input.prepared !== undefined,
    ...(contract === undefined ? {} : { contract: contract.contract })
  }).pipe(
    Effect.flatMap((checked) => Effect.map(resumePoint(store, source, sync, input.resume), (resumed) => ({ checked, resumed }))),
    Effect.result
  )
  if (ready._tag === "Success") {
    const { checked, resumed } = ready.success
    if (resumed.resumedFrom !== undefined) tally.resumeFrom(resumed.resumedFrom)
    yield* deliverRows({ input, library, tally, tellProgress, checked, resumed, contract })
  } else {
    tally.fail(ready.failure)
  }
  const now = yield* Clock.currentTimeMillis
  const failed = tellProgress(now)
  if (failed !== undefined) tally.failReplacingStop(failed)
  tally.balanceBooks()
  return tally.report(meta, now)
})

interface Delivery {
  readonly input: SyncInput
  readonly library: LibraryInfo
  readonly tally: DeliveryTally
  readonly tellProgress: (now: number) => Fatal | undefined
  readonly checked: Preflight
  readonly resumed: ResumePoint
  readonly contract: ContractTally | undefined
}

/** The stages, wired: from the first row read to the last batch settled, and the checkpoint saved. */
const deliverRows = Effect.fnUntraced(function* ({ input, library, tally, tellProgress, checked, resumed, contract }: Delivery) {
  const { spec, options } = input
  const source = yield* RowSource
  const transport = yield* Transport
  const listener = yield* ProgressListener
  const store = options.dryRun ? undefined : yield* CheckpointStore
  const stop = yield* StopControl.make(tally)
  const rejectGate = yield* RejectGate.make(options, tally, stop.abort)
  const observer = yield* RunObserver
  const writeRejects = makeRejectWriter(tally, yield* RejectSink, stop.abort, observer)
  const position = new RunPosition(resumed.skipThrough, resumed.carried)
  const settlement = new Settlement({ tally, acks: position.acks, writeRejects, stop: stop.abort, onSettled: input.onSettled })
  const saveCheckpoint = makeCheckpointWriter({
    store,
    sync: syncNamespace(spec),
    fingerprint: resumed.fingerprint,
    position,
    tally,
    stop: stop.abort
  })
  const policy = yield* (yield* SendingPolicy).make(options)
  tally.watchSending(policy.figures)
  const afterBatch = Effect.gen(function* () {
    const failed = tellProgress(yield* Clock.currentTimeMillis)
    if (failed !== undefined) yield* stop.abort(failed)
  })
  const dispatcher = new Dispatcher({
    transport,
    policy,
    tally,
    settlement,
    opened: rejectGate.opened,
    dryRun: options.dryRun,
    maxRetryMillis: options.maxRetryMillis,
    stop: stop.abort,
    afterBatch
  })

  // With a reject limit, nothing is sent before the first rows are checked, so the queue holds at
  // least those rows' messages (whatever its own capacity): the probe is never cut short by it.
  const messagesPerRow = callsOf(spec.type).length
  const queueCapacity = rejectGate.limited ? Math.max(options.queueCapacity, options.rejectProbeRows * messagesPerRow) : options.queueCapacity
  const queue = yield* Queue.bounded<BuiltMessage, Cause.Done>(queueCapacity)
  // A source's `prepare` (a worker thread) maps and checks with the contract's portable form; a
  // contract without one is checked here, where each message is the object it is built from (the
  // worker would hand over text, to be parsed back).
  const portable = contract === undefined ? undefined : portableForSync(contract.contract, spec, library)
  const rows: Stream.Stream<SourceItem | PreparedRow, SourceError> =
    input.prepared ??
    (contract === undefined
      ? source.prepare?.(spec, library, checked.columnTypes)
      : portable === undefined
        ? undefined
        : source.prepare?.(spec, library, checked.columnTypes, portable)) ??
    source.rows
  // Rows are numbered by content here, in source order (a source's `prepare` builds the ids of the
  // contents); an incremental sync's staged changes are keyed and keep theirs.
  const recounting = input.prepared === undefined && checked.map.countsRepeats
  const reader = makeReader({
    rows,
    map: checked.map,
    recounting,
    queue,
    tally,
    position,
    settlement,
    writeRejects,
    rejectGate,
    stop,
    observer,
    contract
  })

  const batches = batchLoop({
    queue,
    builder: new BatchBuilder({ maxCount: options.batchCount, maxBytes: options.batchBytes, envelopeBytes: transport.envelopeBytes }),
    batchCount: options.batchCount,
    flushIntervalMillis: options.flushIntervalMillis,
    close: (batch) => {
      position.acks.register(batch)
      position.messagesBatched += batch.messages.length
      dispatcher.enqueue(batch)
    },
    handOff: dispatcher.dispatchWaiting
  }).pipe(Effect.andThen(dispatcher.idle))

  const ticker = Effect.gen(function* () {
    const every = Math.min(listener.intervalMillis, options.checkpointIntervalMillis)
    let lastProgress = 0
    while (true) {
      yield* Effect.sleep(every)
      const now = yield* Clock.currentTimeMillis
      yield* saveCheckpoint(false)
      if (now - lastProgress >= listener.intervalMillis) {
        lastProgress = now
        const failed = tellProgress(now)
        if (failed !== undefined) yield* stop.abort(failed)
      }
    }
  })

  const pipeline = Effect.gen(function* () {
    yield* Effect.forkChild(ticker)
    const reading = yield* Effect.forkChild(reader.read)
    if (input.stop !== undefined) {
      // Waiting on the source holds no message: safe to cut. Waiting on a full queue is not: the
      // reader sees `stopping` once its rows are in. Cut before it could judge the reject limit,
      // it is judged on what was read, so that the flush is not held back for rows that will not come.
      const cutReading = Effect.suspend(() =>
        reader.isOffering() ? Effect.void : Fiber.interrupt(reading).pipe(Effect.andThen(rejectGate.endOfReading))
      )
      yield* stop.watch(input.stop, options.drainTimeoutMillis, cutReading)
    }
    yield* batches
    yield* Fiber.await(reading)
  })

  yield* Effect.raceFirst(pipeline, stop.stoppedAtOnce).pipe(
    // Anything else unexpected stops the run at once as an internal error: never a normal end.
    Effect.catchDefect((defect) => stop.abort(internalDefect("the pipeline failed", defect)))
  )

  if (yield* stop.isStoppedAtOnce) {
    yield* settlement.settleStopped(dispatcher.waiting)
    position.messagesBatched = tally.messagesBuilt
  }
  if (tally.messagesUndelivered > 0) tally.listUndelivered(position.acks.allUndelivered())
  tally.balanceBooks()
  yield* saveCheckpoint(tally.fatal === undefined && tally.messagesUndelivered === 0)
})

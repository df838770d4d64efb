import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { DeliveryTally } from "../report/DeliveryTally.ts"
import type { BuiltMessage, MessageMapper } from "../map/MessageMapper.ts"
import { internalDefect, SourceFailed } from "../report/Fatal.ts"
import type { RejectWriter } from "../report/RejectWriter.ts"
import type { Settlement } from "../report/Settlement.ts"
import type { RejectedRow } from "../report/RejectSink.ts"
import type { RunObserverShape } from "../report/RunObserver.ts"
import type { RunPosition } from "../resume/RunPosition.ts"
import { isMalformed, isPrepared, malformedReject, type PreparedRow, type SourceError, type SourceItem } from "./RowSource.ts"
import type { RejectGate } from "../run/RejectLimit.ts"
import type { StopControl } from "../run/StopControl.ts"
import { type ContractTally, contractReason } from "../contract/ContractTally.ts"
import type { ContractCheck } from "../contract/MessageContract.ts"
import { type WarnedRow, warnedRow, writeWarnings } from "../contract/WarningSink.ts"

export interface ReaderInput {
  readonly rows: Stream.Stream<SourceItem | PreparedRow, SourceError>
  readonly map: MessageMapper
  /** Rows are numbered by content here, in source order: skipped rows are counted all the same. */
  readonly recounting: boolean
  /** Where the messages go; when it is full the reader waits (the backpressure). */
  readonly queue: Queue.Queue<BuiltMessage, Cause.Done>
  readonly tally: DeliveryTally
  readonly position: RunPosition
  readonly settlement: Settlement
  readonly writeRejects: RejectWriter
  readonly rejectGate: RejectGate
  readonly stop: StopControl
  /** Told of each chunk's messages, for the run's profile. */
  readonly observer?: RunObserverShape | undefined
  /** The run's contract (a tracking plan): each row's messages are checked once they are built. */
  readonly contract?: ContractTally | undefined
}

/** One chunk of source items, mapped: the messages to queue, the rows rejected, the last row seen. */
interface MappedChunk {
  readonly messages: ReadonlyArray<BuiltMessage>
  readonly rejects: ReadonlyArray<RejectedRow>
  /** Rows sent although they break the contract (`warn` mode), for the warnings output. */
  readonly warnings: ReadonlyArray<WarnedRow>
  readonly lastRow: number
}

/** Maps a chunk of items, counting each row read into exactly one of skipped, rejected or mapped. */
const mapChunk = (input: ReaderInput, items: ReadonlyArray<SourceItem | PreparedRow>): MappedChunk => {
  const { map, recounting, tally, position, contract } = input
  const messages: Array<BuiltMessage> = []
  const rejects: Array<RejectedRow> = []
  const warnings: Array<WarnedRow> = []
  /** A row's messages, checked against the contract: queued, or the row rejected with its violations. */
  const admit = (
    rowNumber: number,
    built: ReadonlyArray<BuiltMessage>,
    repeated: boolean,
    values: Readonly<Record<string, unknown>> | undefined,
    checks?: ReadonlyArray<ContractCheck>
  ): void => {
    if (contract !== undefined) {
      // Checked as they were mapped (the mapper's `check`), or parsed back here (rows a source or a plan built).
      const violations = checks === undefined ? contract.checkRow(rowNumber, built) : contract.recordRow(rowNumber, checks, contract.event)
      if (violations.length > 0 && contract.contract.mode === "reject") {
        tally.countRejected()
        rejects.push({ row: rowNumber, stage: "validation", reason: contractReason(violations), ...(values === undefined ? {} : { values }) })
        return
      }
      if (violations.length > 0) warnings.push(warnedRow(rowNumber, violations, values))
    }
    tally.countMapped(built.length, repeated)
    for (const message of built) messages.push(message)
  }
  let lastRow = position.readThrough
  for (const item of items) {
    tally.countRead()
    const rowNumber = isMalformed(item) ? item.malformed.rowNumber : item.rowNumber
    lastRow = Math.max(lastRow, rowNumber)
    if (position.skips(rowNumber)) {
      tally.countSkipped()
      // Counted all the same, so that the rows after them get the ids of the interrupted run.
      if (recounting && !isMalformed(item)) {
        if (isPrepared(item)) map.recount(item.messages)
        else map(item)
      }
      continue
    }
    if (isMalformed(item)) {
      tally.countRejected()
      rejects.push(malformedReject(item.malformed))
      continue
    }
    if (isPrepared(item)) {
      // Built and checked already: an incremental sync's staged changes, or a source's `prepare`.
      const numbered = recounting ? map.recount(item.messages) : { messages: item.messages, repeated: false }
      if (item.checked === true && contract !== undefined) {
        // Checked by the source against the same contract, and kept: counted, not parsed again.
        contract.recordPassed(numbered.messages.length)
        tally.countMapped(numbered.messages.length, numbered.repeated)
        for (const message of numbered.messages) messages.push(message)
      } else admit(rowNumber, numbered.messages, numbered.repeated, undefined)
      continue
    }
    const mapped = map(item)
    if (mapped.ok) admit(rowNumber, mapped.messages, mapped.repeated, item.values, mapped.checks)
    else {
      tally.countRejected()
      rejects.push({
        row: rowNumber,
        stage: "validation",
        reason: mapped.reason,
        ...(mapped.column === undefined ? {} : { column: mapped.column }),
        ...(mapped.rule === undefined ? {} : { rule: mapped.rule }),
        values: item.values
      })
    }
  }
  return { messages, rejects, warnings, lastRow }
}

/** Ends the reading stream from inside, on a graceful stop. */
class StopReading {
  readonly _tag = "StopReading"
}

/**
 * The reader: maps the source's rows into the bounded queue, writing rejects and judging the
 * reject limit as it goes. When the queue is full it waits: that is the backpressure. It ends the
 * queue when reading ends, however it ends. `offering` tells stop control whether it holds
 * messages it has not handed over (then it cannot be cut, only told to stop).
 */
export const makeReader = (input: ReaderInput): { readonly read: Effect.Effect<void>; readonly isOffering: () => boolean } => {
  const { tally, position, settlement, stop, rejectGate, queue } = input
  let offering: ReadonlyArray<BuiltMessage> = []
  const read = input.rows.pipe(
    Stream.runForEachArray((items) => {
      if (stop.stopping) return Effect.fail(new StopReading())
      const chunk = mapChunk(input, items)
      if (chunk.messages.length > 0) input.observer?.onMessages(chunk.messages)
      if (chunk.messages.length > 0 && position.firstMessageRow === Number.POSITIVE_INFINITY)
        position.firstMessageRow = chunk.messages[0]!.rowNumber
      const done = Effect.sync(() => {
        offering = []
        position.readThrough = chunk.lastRow
      })
      const judged = input
        .writeRejects(chunk.rejects)
        .pipe(Effect.andThen(writeWarnings(chunk.warnings, stop.abort)), Effect.andThen(rejectGate.afterChunk))
      if (chunk.messages.length === 0) return judged.pipe(Effect.andThen(done))
      offering = chunk.messages
      settlement.queued(chunk.messages)
      return judged.pipe(Effect.andThen(Queue.offerAll(queue, chunk.messages)), Effect.andThen(done))
    }),
    // A source that fails mid-way still gets what it read delivered; the report says why it ended.
    Effect.catchTag("SourceError", (error) => Effect.sync(() => tally.fail(new SourceFailed({ message: error.message })))),
    Effect.catchIf(
      (error): error is StopReading => error instanceof StopReading,
      () => Effect.void
    ),
    // A defect while reading (a source or a step that throws) is never the end of the source: the
    // run fails with it. What was read is still delivered, and the books tell what it cost.
    Effect.catchDefect((defect) => Effect.sync(() => tally.failReplacingStop(internalDefect("reading failed", defect)))),
    Effect.andThen(rejectGate.endOfReading),
    Effect.ensuring(Queue.end(queue))
  )
  return { read, isOffering: () => offering.length > 0 }
}

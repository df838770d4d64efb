import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import {
  BatchBuilder,
  type BuiltMessage,
  compileMapper,
  DeliveryTally,
  type FatalError,
  isMalformed,
  type LibraryInfo,
  malformedReject,
  missingColumns,
  nestsDeeperThan,
  type PipelineOptions,
  ProgressListener,
  type RejectedRow,
  RejectSink,
  RowSource,
  type SourceError,
  type SourceItem,
  type SourceRow,
  syncNamespace,
  tooDeepReason
} from "@tablecast/core"
import { type ColumnChange, compileChangeDetector } from "./ChangeDetector.ts"
import { type IncrementalMode, type IncrementalSpec, sends } from "./IncrementalSpec.ts"
import { compileRemoval } from "./Removal.ts"
import type { ChangeKind, SnapshotEntry, SnapshotRun, StagedChange, StagedUsers, StateError } from "./Snapshot.ts"
import type { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"
import type { DigestedItem, DigestedRow } from "./SourceDigests.ts"

/** A changed or added row as the plan shows it: what moved, from what, to what. */
export interface PlannedChange {
  readonly row: number
  readonly key: string
  readonly kind: "added" | "changed" | "removed"
  readonly changes: ReadonlyArray<ColumnChange>
}

/** What an incremental run found and would send, worked out before anything is sent. */
export interface IncrementalPlan {
  readonly sync: string
  readonly mode: IncrementalMode
  /** A full run sends every row and rebuilds the snapshot. */
  readonly full: boolean
  /**
   * The diff ran in the database (Postgres source beside a Postgres store): rows unchanged since
   * last acknowledged never left it. Absent when the run read every row.
   */
  readonly diffInDatabase?: boolean
  readonly key: ReadonlyArray<string>
  readonly snapshot: {
    readonly location: string
    /** Entries before the run. */
    readonly rows: number
    /** Entries a full run deleted because no row has their key any more. */
    readonly forgotten?: number
    /** Said when the snapshot was written under an older messageId scheme (`messageIdSchemeNote`). */
    readonly messageIdScheme?: string
  }
  readonly rows: {
    readonly read: number
    readonly added: number
    readonly changed: number
    readonly unchanged: number
    /** Rows whose only moves were below their columns' tolerance (counted in `unchanged`). */
    readonly withinTolerance: number
    /** Unchanged rows the database left out of the read (counted in `read` and `unchanged`). */
    readonly unchangedAtSource?: number
    /** Snapshot keys no row of this run has. */
    readonly removed: number
    /** Rows whose key an earlier row of this run already had: rejected. */
    readonly duplicates: number
    /** Rows rejected by the source or by validation (duplicates included). */
    readonly rejected: number
  }
  readonly send: {
    /** Source rows to send (added, changed, and in a full run unchanged). */
    readonly rows: number
    readonly removals: number
    readonly messages: number
    /** Batch requests at the run's batch limits (time flushes may add a few). */
    readonly requests: number
    readonly bytes: number
  }
  /**
   * Segment bills by monthly tracked users: `touched` users get a call, `new` ones are users of
   * added keys (users Segment may not know yet).
   */
  readonly users: { readonly touched: number; readonly new: number }
  readonly sample: ReadonlyArray<PlannedChange>
  /**
   * The table judged against the snapshot, whatever the mode sends: the true shares of the
   * snapshot's rows that are added, changed and gone. A removed share over its maximum stops the
   * run in every mode (a table that lost that many rows is a broken output, whatever is sent); a
   * changed share over its maximum stops a mode that sends changes, and only warns in one that
   * does not (`added`, `removed`).
   */
  readonly guard: {
    /** Rows whose key the snapshot does not have, as a share of the snapshot's rows (no maximum). */
    readonly addedShare: number
    readonly changedShare: number
    readonly removedShare: number
    readonly maxChangedShare: number
    readonly maxRemovedShare: number
    /** Why the run must not send (unless forced); undefined when the guard passes. */
    readonly tripped: string | undefined
    /** A share over its maximum that does not stop this mode, said aloud. */
    readonly warning?: string
    readonly forced: boolean
  }
  readonly fatal?: FatalError
}

export interface PlanInput {
  readonly spec: IncrementalSyncSpec
  readonly key: ReadonlyArray<string>
  readonly settings: IncrementalSpec
  readonly options: PipelineOptions
  readonly library: LibraryInfo
  readonly full: boolean
  readonly force: boolean
  /** Changed rows to show with their before and after values. */
  readonly sampleSize: number
  readonly snapshotLocation: string
  /** What the snapshot's messageId scheme means for the run, when it is an older one. */
  readonly messageIdSchemeNote?: string
  /** Bytes the transport's envelope adds to a batch. */
  readonly envelopeBytes: number
  /** Counts rows read and rejected, and samples rejects, for the run's report. */
  readonly tally: DeliveryTally
  /** The rows to classify, when not the source's own `rows` (the read with source digests). */
  readonly rows?: Stream.Stream<DigestedItem, SourceError>
  /** Set when the diff runs in the database: the unchanged rows it left there. */
  readonly unchangedAtSource?: number
  /** Whether the diff ran in the database, when the caller allowed it (undefined: not allowed). */
  readonly diffInDatabase?: boolean
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`

/**
 * Classifies rows against the snapshot, chunk by chunk: added, changed, unchanged, and removed for
 * snapshot keys no row has. Builds the messages of what the run sends, counts everything, writes
 * rejects, and makes the plan at the end. Sends nothing and changes no snapshot entry.
 */
const makePlanner = Effect.fnUntraced(function* (input: PlanInput, run: SnapshotRun) {
  const { spec, settings, tally } = input
  const source = yield* RowSource
  const rejectSink = yield* RejectSink
  const listener = yield* ProgressListener
  let lastProgress = yield* Clock.currentTimeMillis
  // The plan reads the whole table before the first send: progress tells of the reading.
  const progress = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    if (now - lastProgress < listener.intervalMillis) return
    lastProgress = now
    listener.onProgress(tally.snapshot(now))
  })
  const namespace = syncNamespace(spec)
  // `auto` as the source decides it, column by column; a failure to decide stops the plan as the columns' would.
  const typed = source.columnTypes === undefined ? undefined : yield* Effect.result(source.columnTypes)
  const columnTypes = typed !== undefined && Result.isSuccess(typed) ? typed.success : undefined
  const detector = compileChangeDetector(spec, input.key, settings, input.library, columnTypes)
  const map = compileMapper(spec, input.library, { columnTypes })
  const sending = sends(settings.mode)
  const builder = new BatchBuilder({
    maxCount: input.options.batchCount,
    maxBytes: input.options.batchBytes,
    envelopeBytes: input.envelopeBytes
  })
  const counts = { added: 0, changed: 0, unchanged: 0, withinTolerance: 0, removed: 0, duplicates: 0 }
  // Rows the database left out as unchanged: read and skipped, as the client would have counted them.
  const atSource = input.unchangedAtSource ?? 0
  counts.unchanged += atSource
  tally.countRead(atSource)
  tally.countSkipped(atSource)
  const send = { rows: 0, removals: 0, messages: 0, requests: 0, bytes: 0 }
  const sample: Array<PlannedChange> = []
  const idText = (value: unknown) => (value === null || value === undefined || value === "" ? undefined : String(value))
  const userOf = (values: SourceRow["values"]): string =>
    idText(spec.customerId === undefined ? undefined : values[spec.customerId]) ??
    idText(spec.anonymousId === undefined ? undefined : values[spec.anonymousId]) ??
    ""
  let columnsFailure: FatalError | undefined
  let lastRow = 0
  let usersSent = 0
  let usersAdded = 0

  const count = (messages: ReadonlyArray<BuiltMessage>) => {
    for (const message of messages) {
      send.messages++
      for (const batch of builder.add(message)) {
        send.requests++
        send.bytes += input.envelopeBytes + batch.messageBytes
      }
    }
  }
  /** A rejects file that cannot be written stops the plan: nothing is sent. */
  let outputFailure: FatalError | undefined
  const writeRejects = (rejects: ReadonlyArray<RejectedRow>) =>
    rejectSink.write(rejects).pipe(
      Effect.catchTag("OutputError", (error) => Effect.sync(() => void (outputFailure ??= { kind: "output", message: error.message })))
    )
  const reject = (rejects: Array<RejectedRow>) =>
    rejects.length === 0
      ? Effect.void
      : Effect.suspend(() => {
          tally.countRejected(rejects.length)
          tally.recordRejects(rejects)
          return writeRejects(rejects)
        })

  const estimate = yield* Effect.result(source.estimatedRows)
  if (Result.isSuccess(estimate)) tally.estimate(estimate.success)
  if (source.columns !== undefined) {
    const columns = yield* Effect.result(source.columns)
    columnsFailure = Result.isFailure(columns)
      ? { kind: "source", message: columns.failure.message }
      : missingColumns({ ...spec, key: [...input.key, ...Object.keys(settings.tolerance), ...(settings.ignore ?? [])] }, columns.success)
  }
  if (typed !== undefined && Result.isFailure(typed)) columnsFailure ??= { kind: "source", message: typed.failure.message }

  const classify = (items: ReadonlyArray<DigestedItem>): Effect.Effect<ReadonlyArray<StagedChange>, StateError> =>
    Effect.gen(function* () {
      const rejects: Array<RejectedRow> = []
      const keyed: Array<{ readonly row: DigestedRow; readonly key: string; readonly fingerprint: string | undefined }> = []
      for (const item of items) {
        tally.countRead()
        if (isMalformed(item)) {
          lastRow = Math.max(lastRow, item.malformed.rowNumber)
          rejects.push(malformedReject(item.malformed))
          continue
        }
        lastRow = Math.max(lastRow, item.rowNumber)
        // The key is serialized as it is: a key value nested too deep (a warehouse's jsonb) rejects
        // its row here, before it could overflow the serializer. Other columns are the mapping's to judge.
        const deepKey = input.key.find((column) => nestsDeeperThan(item.values[column]))
        if (deepKey !== undefined) {
          rejects.push({
            row: item.rowNumber,
            stage: "validation",
            reason: `key column ${JSON.stringify(deepKey)}: ${tooDeepReason()}`,
            column: deepKey,
            values: item.values
          })
          continue
        }
        const key = detector.keyOf(item.values)
        if ("emptyColumn" in key) {
          rejects.push({
            row: item.rowNumber,
            stage: "validation",
            reason: `key column "${key.emptyColumn}" is empty`,
            column: key.emptyColumn,
            values: item.values
          })
          continue
        }
        const printed = detector.fingerprint(item)
        if (!printed.ok) {
          rejects.push({
            row: item.rowNumber,
            stage: "validation",
            reason: printed.reason,
            ...(printed.column === undefined ? {} : { column: printed.column }),
            values: item.values
          })
        }
        // A row refused by validation still has its key: it is in the table, so not removed.
        keyed.push({ row: item, key: key.key, fingerprint: printed.ok ? printed.fingerprint : undefined })
      }
      const firstRows = yield* run.see(keyed.map(({ key, row }) => ({ key, rowNumber: row.rowNumber })))
      const candidates: Array<(typeof keyed)[number]> = []
      keyed.forEach((entry, index) => {
        const first = firstRows[index]
        if (first !== undefined) {
          counts.duplicates++
          if (entry.fingerprint !== undefined) {
            rejects.push({
              row: entry.row.rowNumber,
              stage: "validation",
              reason: `duplicate key ${entry.key}: row ${first} has it too, and the first row with a key is the one that counts`,
              column: input.key.join(","),
              values: entry.row.values
            })
          }
        } else if (entry.fingerprint !== undefined) candidates.push(entry)
      })
      const previous = yield* run.fingerprints(candidates.map(({ key }) => key))
      const changes: Array<StagedChange> = []
      const sampled: Array<{ readonly row: DigestedRow; readonly key: string; readonly kind: "added" | "changed" }> = []
      candidates.forEach(({ row, key, fingerprint }, index) => {
        const before = previous[index]
        let kind: Exclude<ChangeKind, "removed">
        if (before === undefined) kind = "added"
        else if (detector.contentChanged(before, fingerprint!)) kind = "changed"
        else {
          const move = detector.tolerantMove(before, fingerprint!)
          kind = move === "reached" ? "changed" : "unchanged"
          if (move === "within") counts.withinTolerance++
        }
        counts[kind]++
        const sent = input.full || (kind === "added" ? sending.added : kind === "changed" ? sending.changed : false)
        if (!sent) {
          tally.countSkipped()
          return
        }
        const mapped = map(row, before)
        if (!mapped.ok) {
          rejects.push({
            row: row.rowNumber,
            stage: "validation",
            reason: mapped.reason,
            ...(mapped.column === undefined ? {} : { column: mapped.column }),
            values: row.values
          })
          return
        }
        tally.countMapped(0, false)
        send.rows++
        count(mapped.messages)
        const values = detector.snapshotValues(row.values)
        if (kind !== "unchanged" && sample.length + sampled.length < input.sampleSize) sampled.push({ row, key, kind })
        changes.push({
          rowNumber: row.rowNumber,
          kind,
          entry: { key, fingerprint: fingerprint!, values, ...(row.sourceDigest === undefined ? {} : { sourceDigest: row.sourceDigest }) },
          user: userOf(row.values),
          messages: mapped.messages
        })
      })
      if (sampled.length > 0) {
        // The values last sent, for the sample's before and after: a few rows, one lookup.
        const entries = yield* run.lookup(sampled.map(({ key }) => key))
        sampled.forEach(({ row, key, kind }, index) => {
          sample.push({ row: row.rowNumber, key, kind, changes: detector.differences(entries[index]?.values, row.values) })
        })
      }
      yield* reject(rejects)
      yield* progress
      for (const change of changes) {
        usersSent++
        if (change.kind === "added") usersAdded++
      }
      return changes
    })

  const removal = compileRemoval(spec, namespace, input.key, settings, map, input.library)
  let removalRow = 0
  /** Removals of snapshot entries no row had: judged only once the source was read to its end. */
  const removals = (entries: ReadonlyArray<SnapshotEntry>): Effect.Effect<ReadonlyArray<StagedChange>> =>
    Effect.gen(function* () {
      counts.removed += entries.length
      if (!sending.removed) return []
      if (removalRow === 0) removalRow = lastRow
      const changes: Array<StagedChange> = []
      const rejects: Array<RejectedRow> = []
      for (const entry of entries) {
        removalRow++
        const built = removal(entry, removalRow)
        if (!built.ok) {
          rejects.push({ row: removalRow, stage: "validation", reason: `removed key ${entry.key}: ${built.reason}` })
          continue
        }
        send.removals++
        count(built.messages)
        if (sample.length < input.sampleSize) {
          sample.push({ row: removalRow, key: entry.key, kind: "removed", changes: [] })
        }
        changes.push({ rowNumber: removalRow, kind: "removed", entry, user: built.user, messages: built.messages })
      }
      // A removal that cannot be built is reported, though it is no source row.
      if (rejects.length > 0) {
        tally.recordRejects(rejects)
        yield* writeRejects(rejects)
      }
      usersSent += changes.length
      return changes
    })

  /** The plan, once the source (and the removals) are read; `users` when the changes were staged. */
  const finish = (fatalOfRun: FatalError | undefined, users: StagedUsers | undefined): IncrementalPlan => {
    const fatal = fatalOfRun ?? columnsFailure ?? outputFailure
    const last = builder.flush()
    if (last !== undefined) {
      send.requests++
      send.bytes += input.envelopeBytes + last.messageBytes
    }
    const size = run.size
    // The table's true shares, whatever the mode sends: the guard judges the table.
    const share = (n: number) => (size === 0 ? 0 : n / size)
    const addedShare = share(counts.added)
    const changedShare = share(counts.changed)
    const removedShare = share(counts.removed)
    const { maxChangedShare, maxRemovedShare } = settings.guard
    let tripped: string | undefined
    let warning: string | undefined
    // A full run sends everything on purpose, and a first run has nothing to compare with.
    if (!input.full && size > 0) {
      const changed = `${counts.changed} of the snapshot's ${size} rows changed (${percent(changedShare)}), over the guard's ${percent(maxChangedShare)}`
      const removed = `${counts.removed} of the snapshot's ${size} rows are removed (${percent(removedShare)}), over the guard's ${percent(maxRemovedShare)}`
      if (changedShare > maxChangedShare && sending.changed) tripped = changed
      else if (removedShare > maxRemovedShare) {
        // Mode or not: a table that lost this many rows is the broken output the guard exists to stop.
        tripped = sending.removed ? removed : `${removed} (mode ${settings.mode} sends no removals, but the table lost them)`
      }
      if (changedShare > maxChangedShare && !sending.changed) {
        warning = `${changed}; mode ${settings.mode} sends no changes, so this does not stop the run`
      }
    }
    const plan: IncrementalPlan = {
      sync: namespace,
      mode: settings.mode,
      full: input.full,
      ...(input.diffInDatabase === undefined ? {} : { diffInDatabase: input.diffInDatabase }),
      key: input.key,
      snapshot: {
        location: input.snapshotLocation,
        rows: size,
        ...(input.messageIdSchemeNote === undefined ? {} : { messageIdScheme: input.messageIdSchemeNote })
      },
      rows: {
        read: tally.rowsRead,
        ...counts,
        ...(input.unchangedAtSource === undefined ? {} : { unchangedAtSource: input.unchangedAtSource }),
        rejected: tally.rowsRejected
      },
      send,
      // Sent without staging (a first or full run): counted per row, an upper bound.
      users: users === undefined ? { touched: usersSent, new: usersAdded } : { touched: users.touched, new: users.added },
      sample,
      guard: {
        addedShare,
        changedShare,
        removedShare,
        maxChangedShare,
        maxRemovedShare,
        tripped,
        ...(warning === undefined ? {} : { warning }),
        forced: tripped !== undefined && input.force
      },
      ...(fatal === undefined ? {} : { fatal })
    }
    return plan
  }

  return { columnsFailure, classify, removals, finish }
})

export type Planner = Effect.Success<ReturnType<typeof makePlanner>>

/**
 * The first pass of an incremental run: reads the source once, classifies every row, stages what
 * the run will send with its messages already built, and judges the guard. Sends nothing: what it
 * stages lives in the run's working tables.
 */
export const planChanges = Effect.fn("Incremental.plan")(function* (input: PlanInput, run: SnapshotRun) {
  const source = yield* RowSource
  const planner = yield* makePlanner(input, run)
  if (planner.columnsFailure !== undefined) return planner.finish(undefined, { touched: 0, added: 0 })
  const stage = (changes: ReadonlyArray<StagedChange>) => (changes.length === 0 ? Effect.void : run.stage(changes))
  let fatal: FatalError | undefined
  const read = yield* Effect.result((input.rows ?? source.rows).pipe(Stream.runForEachArray((items) => Effect.flatMap(planner.classify(items), stage))))
  if (Result.isFailure(read)) {
    const failure = read.failure
    if (failure._tag === "StateError") return yield* Effect.fail(failure)
    fatal = { kind: "source", message: failure.message }
  }
  // A source that failed half-way has not "removed" the rest.
  if (fatal === undefined) yield* run.unseen.pipe(Stream.runForEachArray((entries) => Effect.flatMap(planner.removals(entries), stage)))
  return planner.finish(fatal, yield* run.stagedUsers)
})

/**
 * The changes as a stream, classified as the source is read and sent as they come: for a run that
 * needs no plan before sending (a first run, a full run, a forced run). The removals follow the
 * last row; `planner.finish` makes the plan once the stream has ended.
 */
export const changeStream = (planner: Planner, run: SnapshotRun, rows: Stream.Stream<SourceItem, SourceError>) =>
  rows.pipe(
    Stream.chunks,
    // A chunk is classified whole or not at all: a stop never leaves rows read but not counted.
    Stream.mapEffect((items) => Effect.uninterruptible(planner.classify(items))),
    Stream.flattenIterable,
    Stream.concat(Stream.suspend(() => run.unseen.pipe(Stream.chunks, Stream.mapEffect(planner.removals), Stream.flattenIterable)))
  )

export { makePlanner }

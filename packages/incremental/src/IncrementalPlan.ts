import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import {
  BatchBuilder,
  type BuiltMessage,
  type CallType,
  compileMapper,
  type ContractTally,
  contractReason,
  type CustomerMovement,
  type DeliveryTally,
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
  RunObserver,
  type SourceError,
  type SourceItem,
  type SourceRow,
  syncNamespace,
  type ScanEstimate,
  tooDeepReason,
  type WarnedRow,
  warnedRow,
  WarningSink
} from "@tablecast/core"
import { type ChangeDetector, type ColumnChange, compileChangeDetector } from "./ChangeDetector.ts"
import { MovementTally } from "./CustomerMovement.ts"
import { type IncrementalMode, type IncrementalSpec, sends } from "./IncrementalSpec.ts"
import { judgeGuard, type PlanGuard } from "./PlanGuard.ts"
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

/** How many messages of each call type. */
export type MessagesByCall = { -readonly [call in CallType]: number }

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
    /**
     * Removals the tracking plan stopped (reject mode): not sent, in the rejects, counted toward
     * `--max-rejects`; their keys stay in the snapshot, so the next run tries them again.
     */
    readonly removalsRejected?: number
  }
  readonly send: {
    /** Source rows to send (added, changed, and in a full run unchanged). */
    readonly rows: number
    readonly removals: number
    readonly messages: number
    /** The messages by call type (removals included): how many identify, group and track calls the run sends. */
    readonly calls: MessagesByCall
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
  /** The warehouse's estimate of what the read costs (BigQuery's dry run), when the source gives one. */
  readonly scan?: ScanEstimate
  readonly guard: PlanGuard
  /**
   * How far customers' numbers moved since last delivered, per numeric column (see
   * `MovementTally`); absent on a run with an empty snapshot (nothing to compare with).
   */
  readonly movement?: ReadonlyArray<CustomerMovement>
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
  /** The run's contract (a tracking plan): the messages of each row to send are checked as they are built. */
  readonly contract?: ContractTally | undefined
}

/** A row with its key, and its fingerprint unless validation refused it. */
interface KeyedRow {
  readonly row: DigestedRow
  readonly key: string
  readonly fingerprint: string | undefined
}

/** A keyed row that is the first with its key and passed validation: classified against the snapshot. */
interface Candidate extends KeyedRow {
  readonly fingerprint: string
}

/** A classified row the plan samples, with its before and after values once they are looked up. */
interface SampledRow {
  readonly row: DigestedRow
  readonly key: string
  readonly kind: "added" | "changed"
}

/** What the planner counts as it reads: the plan's figures, built up chunk by chunk. */
interface PlanBooks {
  readonly counts: { added: number; changed: number; unchanged: number; withinTolerance: number; removed: number; duplicates: number }
  readonly send: { rows: number; removals: number; messages: number; calls: MessagesByCall; requests: number; bytes: number }
  readonly sample: Array<PlannedChange>
  lastRow: number
  /** Row number of the last removal built: removals are numbered after the source's last row. */
  removalRow: number
  usersSent: number
  usersAdded: number
  /** Removals the tracking plan stopped (reject mode). */
  removalsRejected: number
  /** A rejects file that cannot be written stops the plan: nothing is sent. */
  outputFailure: FatalError | undefined
}

/** The planner's compiled pieces, shared by its steps. */
interface PlannerContext {
  readonly input: PlanInput
  readonly run: SnapshotRun
  readonly detector: ChangeDetector
  readonly map: ReturnType<typeof compileMapper>
  readonly sending: ReturnType<typeof sends>
  readonly builder: BatchBuilder
  readonly books: PlanBooks
  readonly writeRejects: (rejects: ReadonlyArray<RejectedRow>) => Effect.Effect<void>
  /** Writes the rows sent with tracking-plan warnings to the run's warnings output, if it has one. */
  readonly writeWarnings: (warned: ReadonlyArray<WarnedRow>) => Effect.Effect<void>
  /** Tells the progress listener of the reading, at its interval. */
  readonly progress: Effect.Effect<void>
  /** The customers' movement, when the snapshot has entries to compare with. */
  readonly movement: MovementTally | undefined
}

const idText = (value: unknown) => (value === null || value === undefined || value === "" ? undefined : String(value))

/** The user a row's messages go to: its customer id, else its anonymous id. */
const userOf = (spec: IncrementalSyncSpec, values: SourceRow["values"]): string =>
  idText(spec.customerId === undefined ? undefined : values[spec.customerId]) ??
  idText(spec.anonymousId === undefined ? undefined : values[spec.anonymousId]) ??
  ""

/** A row refused by validation, for the rejects. */
const validationReject = (row: SourceRow, reason: string, column: string | undefined): RejectedRow => ({
  row: row.rowNumber,
  stage: "validation",
  reason,
  ...(column === undefined ? {} : { column }),
  values: row.values
})

/** Counts messages into the plan's sends, and the batch requests they fill at the run's limits. */
const countMessages = ({ books, builder, input }: PlannerContext, messages: ReadonlyArray<BuiltMessage>) => {
  for (const message of messages) {
    books.send.messages++
    books.send.calls[message.type]++
    for (const batch of builder.add(message)) {
      books.send.requests++
      books.send.bytes += input.envelopeBytes + batch.messageBytes
    }
  }
}

const rejectRows = (ctx: PlannerContext, rejects: ReadonlyArray<RejectedRow>) =>
  rejects.length === 0
    ? Effect.void
    : Effect.suspend(() => {
        ctx.input.tally.countRejected(rejects.length)
        ctx.input.tally.recordRejects(rejects)
        return ctx.writeRejects(rejects)
      })

/**
 * The chunk's rows with their keys and fingerprints; a malformed row, an empty or too deep key is
 * refused. A row refused by validation keeps its key: it is in the table, so not removed.
 */
const keyRows = ({ input, detector, books }: PlannerContext, items: ReadonlyArray<DigestedItem>, rejects: Array<RejectedRow>) => {
  const keyed: Array<KeyedRow> = []
  for (const item of items) {
    input.tally.countRead()
    if (isMalformed(item)) {
      books.lastRow = Math.max(books.lastRow, item.malformed.rowNumber)
      rejects.push(malformedReject(item.malformed))
      continue
    }
    books.lastRow = Math.max(books.lastRow, item.rowNumber)
    // The key is serialized as it is: a key value nested too deep (a warehouse's jsonb) rejects
    // its row here, before it could overflow the serializer. Other columns are the mapping's to judge.
    const deepKey = input.key.find((column) => nestsDeeperThan(item.values[column]))
    if (deepKey !== undefined) {
      rejects.push(validationReject(item, `key column ${JSON.stringify(deepKey)}: ${tooDeepReason()}`, deepKey))
      continue
    }
    const key = detector.keyOf(item.values)
    if ("emptyColumn" in key) {
      rejects.push(validationReject(item, `key column "${key.emptyColumn}" is empty`, key.emptyColumn))
      continue
    }
    const printed = detector.fingerprint(item)
    if (!printed.ok) rejects.push(validationReject(item, printed.reason, printed.column))
    keyed.push({ row: item, key: key.key, fingerprint: printed.ok ? printed.fingerprint : undefined })
  }
  return keyed
}

/** The rows that are the first with their key (`firstRows`: the earlier row of a key, if any); the others are duplicates. */
const firstOfKeys = (
  { input, books }: PlannerContext,
  keyed: ReadonlyArray<KeyedRow>,
  firstRows: ReadonlyArray<number | undefined>,
  rejects: Array<RejectedRow>
): Array<Candidate> => {
  const candidates: Array<Candidate> = []
  keyed.forEach((entry, index) => {
    const first = firstRows[index]
    if (first !== undefined) {
      books.counts.duplicates++
      if (entry.fingerprint !== undefined) {
        const reason = `duplicate key ${entry.key}: row ${first} has it too, and the first row with a key is the one that counts`
        rejects.push(validationReject(entry.row, reason, input.key.join(",")))
      }
    } else if (entry.fingerprint !== undefined) candidates.push(entry as Candidate)
  })
  return candidates
}

/**
 * A candidate's class against the fingerprint last acknowledged for its key (`before`), and whether
 * its values differ from those last delivered (a change, or a move within a tolerance).
 */
const kindOf = (
  { detector, books }: PlannerContext,
  fingerprint: string,
  before: string | undefined
): { readonly kind: Exclude<ChangeKind, "removed">; readonly moved: boolean } => {
  if (before === undefined) return { kind: "added", moved: false }
  if (detector.contentChanged(before, fingerprint)) return { kind: "changed", moved: true }
  const move = detector.tolerantMove(before, fingerprint)
  if (move === "within") books.counts.withinTolerance++
  return { kind: move === "reached" ? "changed" : "unchanged", moved: move !== "none" }
}

/** Classifies a candidate and, when the run sends its class, builds its messages into `changes`. */
const classifyCandidate = (ctx: PlannerContext, { row, key, fingerprint }: Candidate, before: string | undefined, into: ChunkOutput) => {
  const { input, books, sending } = ctx
  const { kind, moved } = kindOf(ctx, fingerprint, before)
  books.counts[kind]++
  if (ctx.movement !== undefined && kind !== "added") {
    if (moved) into.moving.push({ row, key })
    else ctx.movement.unchanged(row.values)
  }
  const sent = input.full || (kind === "added" ? sending.added : kind === "changed" ? sending.changed : false)
  if (!sent) {
    input.tally.countSkipped()
    return
  }
  const mapped = ctx.map(row, before)
  if (!mapped.ok) {
    into.rejects.push(validationReject(row, mapped.reason, mapped.column))
    return
  }
  const violations =
    input.contract === undefined
      ? undefined
      : mapped.checks === undefined
        ? input.contract.checkRow(row.rowNumber, mapped.messages)
        : input.contract.recordRow(row.rowNumber, mapped.checks, input.contract.event)
  if (violations !== undefined && violations.length > 0 && input.contract?.contract.mode === "reject") {
    into.rejects.push(validationReject(row, contractReason(violations), undefined))
    return
  }
  if (violations !== undefined && violations.length > 0) into.warnings.push(warnedRow(row.rowNumber, violations, row.values))
  input.tally.countMapped(0, false)
  books.send.rows++
  countMessages(ctx, mapped.messages)
  const values = ctx.detector.snapshotValues(row.values)
  if (kind !== "unchanged" && books.sample.length + into.sampled.length < input.sampleSize) into.sampled.push({ row, key, kind })
  into.changes.push({
    rowNumber: row.rowNumber,
    kind,
    entry: { key, fingerprint, values, ...(row.sourceDigest === undefined ? {} : { sourceDigest: row.sourceDigest }) },
    user: userOf(input.spec, row.values),
    messages: mapped.messages
  })
}

/** What classifying a chunk gives: its rejects, the changes to stage, the rows to sample and those whose movement to measure. */
interface ChunkOutput {
  readonly rejects: Array<RejectedRow>
  /** Rows sent with tracking-plan warnings (`warn` mode). */
  readonly warnings: Array<WarnedRow>
  readonly changes: Array<StagedChange>
  readonly sampled: Array<SampledRow>
  readonly moving: Array<{ readonly row: DigestedRow; readonly key: string }>
}

/** The movement of rows whose values differ from those last delivered: the snapshot's values, looked up. */
const measureMovement = (ctx: PlannerContext, moving: ChunkOutput["moving"]): Effect.Effect<void, StateError> =>
  moving.length === 0 || ctx.movement === undefined
    ? Effect.void
    : Effect.map(ctx.run.lookup(moving.map(({ key }) => key)), (entries) => {
        moving.forEach(({ row }, index) => {
          const entry = entries[index]
          if (entry !== undefined) ctx.movement?.compare(entry.values, row.values)
        })
      })

/** The sampled rows with their changes: the values last sent, for the before and after (a few rows, one lookup). */
const sampleChanges = (ctx: PlannerContext, sampled: ReadonlyArray<SampledRow>): Effect.Effect<void, StateError> =>
  sampled.length === 0
    ? Effect.void
    : Effect.map(ctx.run.lookup(sampled.map(({ key }) => key)), (entries) => {
        sampled.forEach(({ row, key, kind }, index) => {
          ctx.books.sample.push({ row: row.rowNumber, key, kind, changes: ctx.detector.differences(entries[index]?.values, row.values) })
        })
      })

/** Classifies a chunk of rows against the snapshot: the changes the run sends, to stage. */
const classifyChunk =
  (ctx: PlannerContext) =>
  (items: ReadonlyArray<DigestedItem>): Effect.Effect<ReadonlyArray<StagedChange>, StateError> =>
    Effect.gen(function* () {
      const { run, books } = ctx
      const into: ChunkOutput = { rejects: [], warnings: [], changes: [], sampled: [], moving: [] }
      const keyed = keyRows(ctx, items, into.rejects)
      const firstRows = yield* run.see(keyed.map(({ key, row }) => ({ key, rowNumber: row.rowNumber })))
      const candidates = firstOfKeys(ctx, keyed, firstRows, into.rejects)
      const previous = yield* run.fingerprints(candidates.map(({ key }) => key))
      candidates.forEach((candidate, index) => {
        classifyCandidate(ctx, candidate, previous[index], into)
      })
      yield* sampleChanges(ctx, into.sampled)
      yield* measureMovement(ctx, into.moving)
      yield* rejectRows(ctx, into.rejects)
      yield* ctx.writeWarnings(into.warnings)
      yield* ctx.progress
      for (const change of into.changes) {
        books.usersSent++
        if (change.kind === "added") books.usersAdded++
      }
      return into.changes
    })

/** Removals of snapshot entries no row had: judged only once the source was read to its end. */
const removalsOf = (ctx: PlannerContext, removal: ReturnType<typeof compileRemoval>) => (entries: ReadonlyArray<SnapshotEntry>) =>
  Effect.gen(function* () {
    const { books, input } = ctx
    books.counts.removed += entries.length
    if (!ctx.sending.removed) return []
    if (books.removalRow === 0) books.removalRow = books.lastRow
    const changes: Array<StagedChange> = []
    const rejects: Array<RejectedRow> = []
    const warnings: Array<WarnedRow> = []
    for (const entry of entries) {
      books.removalRow++
      const built = removal(entry, books.removalRow)
      if (!built.ok) {
        rejects.push({ row: books.removalRow, stage: "validation", reason: `removed key ${entry.key}: ${built.reason}` })
        continue
      }
      // Checked like every other message: a removal the plan forbids is not sent, and its key stays.
      const violations = input.contract?.checkRow(books.removalRow, built.messages) ?? []
      if (violations.length > 0 && input.contract?.contract.mode === "reject") {
        books.removalsRejected++
        rejects.push({ row: books.removalRow, stage: "validation", reason: `removed key ${entry.key}: ${contractReason(violations)}` })
        continue
      }
      if (violations.length > 0) warnings.push(warnedRow(books.removalRow, violations, undefined, entry.key))
      books.send.removals++
      countMessages(ctx, built.messages)
      if (books.sample.length < input.sampleSize) {
        books.sample.push({ row: books.removalRow, key: entry.key, kind: "removed", changes: [] })
      }
      changes.push({ rowNumber: books.removalRow, kind: "removed", entry, user: built.user, messages: built.messages })
    }
    // A removal that cannot be built is reported, though it is no source row.
    if (rejects.length > 0) {
      input.tally.recordRejects(rejects)
      yield* ctx.writeRejects(rejects)
    }
    yield* ctx.writeWarnings(warnings)
    books.usersSent += changes.length
    return changes as ReadonlyArray<StagedChange>
  })

/** The plan, once the source (and the removals) are read; `users` when the changes were staged. */
const finishPlan = (ctx: PlannerContext, fatal: FatalError | undefined, users: StagedUsers | undefined): IncrementalPlan => {
  const { input, books, run } = ctx
  const last = ctx.builder.flush()
  if (last !== undefined) {
    books.send.requests++
    books.send.bytes += input.envelopeBytes + last.messageBytes
  }
  return {
    sync: syncNamespace(input.spec),
    mode: input.settings.mode,
    full: input.full,
    ...(input.diffInDatabase === undefined ? {} : { diffInDatabase: input.diffInDatabase }),
    key: input.key,
    snapshot: {
      location: input.snapshotLocation,
      rows: run.size,
      ...(input.messageIdSchemeNote === undefined ? {} : { messageIdScheme: input.messageIdSchemeNote })
    },
    rows: {
      read: input.tally.rowsRead,
      ...books.counts,
      ...(input.unchangedAtSource === undefined ? {} : { unchangedAtSource: input.unchangedAtSource }),
      rejected: input.tally.rowsRejected,
      ...(books.removalsRejected === 0 ? {} : { removalsRejected: books.removalsRejected })
    },
    send: books.send,
    // Sent without staging (a first or full run): counted per row, an upper bound.
    users: users === undefined ? { touched: books.usersSent, new: books.usersAdded } : { touched: users.touched, new: users.added },
    sample: books.sample,
    guard: judgeGuard({ counts: books.counts, size: run.size, settings: input.settings, full: input.full, force: input.force }),
    ...(ctx.movement === undefined ? {} : { movement: ctx.movement.movement() }),
    ...(fatal === undefined ? {} : { fatal })
  }
}

/**
 * Why the plan cannot start: the source's columns miss one the sync names, or the source failed to
 * tell its columns or their types.
 */
const columnsFailureOf = Effect.fnUntraced(function* (input: PlanInput, typed: Result.Result<unknown, SourceError> | undefined) {
  const source = yield* RowSource
  let failure: FatalError | undefined
  if (source.columns !== undefined) {
    const columns = yield* Effect.result(source.columns)
    failure = Result.isFailure(columns)
      ? { kind: "source", message: columns.failure.message }
      : missingColumns(
          { ...input.spec, key: [...input.key, ...Object.keys(input.settings.tolerance), ...(input.settings.ignore ?? [])] },
          columns.success
        )
  }
  if (typed !== undefined && Result.isFailure(typed)) failure ??= { kind: "source", message: typed.failure.message }
  return failure
})

/** Progress of the reading, told at the listener's interval: the plan reads the whole table before the first send. */
const readingProgress = Effect.fnUntraced(function* (tally: DeliveryTally) {
  const listener = yield* ProgressListener
  let lastProgress = yield* Clock.currentTimeMillis
  return Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    if (now - lastProgress < listener.intervalMillis) return
    lastProgress = now
    listener.onProgress(tally.snapshot(now))
  })
})

/**
 * Classifies rows against the snapshot, chunk by chunk: added, changed, unchanged, and removed for
 * snapshot keys no row has. Builds the messages of what the run sends, counts everything, writes
 * rejects, and makes the plan at the end. Sends nothing and changes no snapshot entry.
 */
const makePlanner = Effect.fnUntraced(function* (input: PlanInput, run: SnapshotRun) {
  const { spec, settings, tally } = input
  const source = yield* RowSource
  const rejectSink = yield* RejectSink
  const warningSink = yield* WarningSink
  const observer = yield* RunObserver
  const progress = yield* readingProgress(tally)
  // `auto` as the source decides it, column by column; a failure to decide stops the plan as the columns' would.
  const typed = source.columnTypes === undefined ? undefined : yield* Effect.result(source.columnTypes)
  const columnTypes = typed !== undefined && Result.isSuccess(typed) ? typed.success : undefined
  const detector = compileChangeDetector(spec, input.key, settings, input.library, columnTypes)
  const map = compileMapper(spec, input.library, {
    columnTypes,
    ...(input.contract === undefined ? {} : { contract: input.contract.contract })
  })
  // Rows the database left out as unchanged: read and skipped, as the client would have counted them.
  const atSource = input.unchangedAtSource ?? 0
  tally.countRead(atSource)
  tally.countSkipped(atSource)
  const books: PlanBooks = {
    counts: { added: 0, changed: 0, unchanged: atSource, withinTolerance: 0, removed: 0, duplicates: 0 },
    send: { rows: 0, removals: 0, messages: 0, calls: { identify: 0, group: 0, track: 0 }, requests: 0, bytes: 0 },
    sample: [],
    lastRow: 0,
    removalRow: 0,
    usersSent: 0,
    usersAdded: 0,
    removalsRejected: 0,
    outputFailure: undefined
  }
  const ctx: PlannerContext = {
    input,
    run,
    detector,
    map,
    sending: sends(settings.mode),
    builder: new BatchBuilder({ maxCount: input.options.batchCount, maxBytes: input.options.batchBytes, envelopeBytes: input.envelopeBytes }),
    books,
    writeRejects: (rejects) =>
      Effect.suspend(() => {
        observer?.onRejects(rejects)
        return rejectSink.write(rejects)
      }).pipe(
        Effect.catchTag("OutputError", (error) =>
          Effect.sync(() => {
            books.outputFailure ??= { kind: "output", message: error.message }
          })
        )
      ),
    writeWarnings: (warned) =>
      warningSink === undefined || warned.length === 0
        ? Effect.void
        : warningSink.write(warned).pipe(
            Effect.catchTag("OutputError", (error) =>
              Effect.sync(() => {
                books.outputFailure ??= { kind: "output", message: error.message }
              })
            )
          ),
    progress,
    movement: run.size > 0 ? new MovementTally(detector, settings) : undefined
  }
  const estimate = yield* Effect.result(source.estimatedRows)
  if (Result.isSuccess(estimate)) tally.estimate(estimate.success)
  const columnsFailure = yield* columnsFailureOf(input, typed)
  const removal = compileRemoval(spec, syncNamespace(spec), input.key, settings, map, input.library)
  return {
    columnsFailure,
    classify: classifyChunk(ctx),
    removals: removalsOf(ctx, removal),
    finish: (fatalOfRun: FatalError | undefined, users: StagedUsers | undefined) =>
      finishPlan(ctx, fatalOfRun ?? columnsFailure ?? books.outputFailure, users)
  }
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
  const read = yield* Effect.result(
    (input.rows ?? source.rows).pipe(Stream.runForEachArray((items) => Effect.flatMap(planner.classify(items), stage)))
  )
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

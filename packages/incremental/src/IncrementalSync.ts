import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import {
  ContractTally,
  fatalOfRecord,
  fatalRecord,
  MessageContract,
  type RejectCounts,
  rejectLimitHit,
  type BuiltMessage,
  checkBooks,
  CheckpointStore,
  type DeliveryReport,
  DeliveryTally,
  type FatalError,
  type LibraryInfo,
  type PreparedRow,
  RowSource,
  type RowSourceShape,
  SourceError,
  Sync,
  syncNamespace,
  Transport,
  VERSION
} from "@tablecast/core"
import { changeStream, type IncrementalPlan, makePlanner, type PlanInput, planChanges } from "./IncrementalPlan.ts"
import { sends } from "./IncrementalSpec.ts"
import { digestSpecHash } from "./SourceDigestSpec.ts"
import { messageIdSchemeNote, type SnapshotRun, SnapshotStore, type StagedChange, type StateError } from "./Snapshot.ts"
import { incrementalOf, type IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"
import { SourceDigests } from "./SourceDigests.ts"

export interface IncrementalInput extends Omit<Sync.SyncInput, "spec" | "resume" | "onSettled" | "prepared"> {
  readonly spec: IncrementalSyncSpec
  /** Send every row and rebuild the snapshot. */
  readonly full?: boolean
  /** Send even when the guard trips. */
  readonly force?: boolean
  /** Plan only: classify and count, send nothing (what `tablecast plan` and a dry run do). */
  readonly planOnly?: boolean
  /** Changed rows the plan shows with their before and after values. */
  readonly sampleSize?: number
  /**
   * Diff in the database when the source and the store can (the Postgres source beside a Postgres
   * store in the same database): rows unchanged since last acknowledged are never read. The caller
   * says whether both are in the same database; a full run reads every row but records digests.
   */
  readonly diffInDatabase?: boolean
}

/** An incremental run's report: core's, with the run's plan (what changed against the snapshot, and what it sent of it). */
export type IncrementalReport = DeliveryReport & { readonly incremental?: IncrementalPlan }

export interface IncrementalResult {
  readonly report: IncrementalReport
  /** Undefined when the run stopped before it could plan (no store, a store that failed to open). */
  readonly plan: IncrementalPlan | undefined
}

type Incremental = NonNullable<ReturnType<typeof incrementalOf>>

/** What the steps of one incremental run share. */
interface RunContext {
  readonly input: IncrementalInput
  readonly library: LibraryInfo
  readonly source: RowSourceShape
  /** The plan's count of the source's rows and rejects. */
  readonly tally: DeliveryTally
  readonly startedAt: number
  /** The run's tracking plan, checked as the plan builds each row's messages (not again when they are sent). */
  readonly contract: ContractTally | undefined
  /** Ends the run on a fatal error, with the plan when there is one. */
  readonly stopped: (fatal: FatalError, plan?: IncrementalPlan) => Effect.Effect<IncrementalResult>
}

/**
 * Runs an incremental sync in two passes. The plan reads the source once and stages what changed
 * against the snapshot (nothing is sent, so the guard can stop a broken model's output before any
 * call). The send then delivers the staged changes through the ordinary pipeline, and each batch's
 * 2xx commits its rows to the snapshot: a crash, a failed batch or a rejected row leaves those
 * rows as they were, to be tried again next run.
 */
export const runIncremental = Effect.fn("Sync.runIncremental")(function* (input: IncrementalInput) {
  const { spec, options } = input
  const incremental = incrementalOf(spec)
  const library = input.library ?? { name: "tablecast", version: VERSION }
  const source = yield* RowSource
  const transport = yield* Transport
  const store = yield* SnapshotStore
  const startedAt = yield* Clock.currentTimeMillis
  const tally = new DeliveryTally(startedAt)
  const planOnly = input.planOnly === true || options.dryRun
  const contractShape = yield* MessageContract
  const contract = contractShape === undefined ? undefined : new ContractTally(contractShape, spec.event)
  tally.watchContract(contract)

  const stopped = (fatal: FatalError, plan?: IncrementalPlan) =>
    Effect.gen(function* () {
      tally.fail(fatalOfRecord(fatal))
      const report = tally.report(
        { sync: syncNamespace(spec), source: source.description, endpoint: transport.endpoint, dryRun: planOnly },
        yield* Clock.currentTimeMillis
      )
      return { report: plan === undefined ? report : { ...report, incremental: plan }, plan } satisfies IncrementalResult
    })

  const ctx: RunContext = { input, library, source, tally, startedAt, contract, stopped }
  if (incremental === undefined) {
    return yield* stopped({ kind: "spec", message: "the sync is not incremental: it names no key and no `incremental` settings" })
  }
  if (store === undefined) {
    return yield* stopped({ kind: "state", message: "an incremental sync needs a state store for its snapshot, and none is set" })
  }

  return yield* Effect.scoped(
    Effect.gen(function* () {
      const opened = yield* Effect.result(store.open(syncNamespace(spec)))
      if (Result.isFailure(opened)) return yield* stopped({ kind: "state", message: opened.failure.message })
      const run = opened.success
      const scheme = messageIdSchemeNote(run.messageIdScheme, run.size)
      if (scheme !== undefined && "error" in scheme) return yield* stopped({ kind: "state", message: scheme.error })

      const atSource = yield* Effect.result(digestRead(ctx, run, incremental))
      if (Result.isFailure(atSource)) return yield* stopped({ kind: "state", message: atSource.failure.message })

      const planInput: PlanInput = {
        ...atSource.success,
        spec,
        key: incremental.key,
        settings: incremental.settings,
        options,
        library,
        full: input.full === true,
        force: input.force === true,
        sampleSize: input.sampleSize ?? 10,
        snapshotLocation: store.location,
        ...(scheme === undefined ? {} : { messageIdSchemeNote: scheme.note }),
        envelopeBytes: transport.envelopeBytes,
        tally,
        ...(contract === undefined ? {} : { contract })
      }
      // Nothing to judge before sending: a first run (no snapshot to compare with), a full run, a
      // forced run. The changes go out as they are classified, in one pass, without staging.
      if (!planOnly && (run.size === 0 || input.full === true || input.force === true)) {
        return yield* sendAsClassified(ctx, planInput, run)
      }
      return yield* planThenSend(ctx, planInput, run)
    })
  )
})

/**
 * The plan, then the send: classifies and stages the changes (a stop request ends the run here,
 * with nothing sent), judges them by the guard, and sends the staged changes unless only planning.
 */
function planThenSend(ctx: RunContext, planInput: PlanInput, run: SnapshotRun) {
  const { input, source, tally } = ctx
  const planOnly = input.planOnly === true || input.options.dryRun
  return Effect.gen(function* () {
    const planning = planChanges(planInput, run)
    const stopRequested = input.stop === undefined ? Effect.never : Effect.race(input.stop.drain, input.stop.now)
    const planned = yield* Effect.result(
      Effect.raceFirst(
        planning.pipe(Effect.map((plan) => ({ _tag: "Planned" as const, plan }))),
        stopRequested.pipe(Effect.as({ _tag: "Stopped" as const }))
      )
    )
    if (Result.isFailure(planned)) return yield* ctx.stopped({ kind: "state", message: planned.failure.message })
    if (planned.success._tag === "Stopped") {
      return yield* ctx.stopped({
        kind: "interrupted",
        message: "stopped on request while planning: nothing was sent, the snapshot is unchanged"
      })
    }
    let plan = planned.success.plan
    if (plan.fatal !== undefined) return yield* ctx.stopped(plan.fatal, plan)
    // The reject limit, judged on every row the plan read: as a sync judges it before sending.
    const overLimit = rejectLimitHit(input.options, withStoppedRemovals(tally, plan), true)
    if (overLimit !== undefined) return yield* ctx.stopped(fatalRecord(overLimit), plan)
    if (plan.guard.tripped !== undefined && !plan.guard.forced && !planOnly) {
      return yield* ctx.stopped(
        {
          kind: "guard",
          message: `${plan.guard.tripped}: nothing was sent; check the model's output, then run again with --force to send it`
        },
        plan
      )
    }
    if (planOnly) {
      // The warehouse's cost of the read, from its own estimate (a dry run costs nothing).
      const scan = source.scanEstimate === undefined ? undefined : yield* Effect.option(source.scanEstimate)
      if (scan !== undefined && scan._tag === "Some") plan = { ...plan, scan: scan.value }
      const report = tally.report(
        { sync: plan.sync, source: source.description, endpoint: "(plan: nothing sent)", dryRun: true },
        yield* Clock.currentTimeMillis
      )
      const messages = { ...report.messages, built: plan.send.messages }
      const batches = { ...report.batches, planned: plan.send.requests }
      return { report: balanced({ ...report, messages, batches, incremental: plan }, plan.send.messages), plan } satisfies IncrementalResult
    }

    // The send: the staged changes, in order, through the ordinary pipeline.
    const sent = yield* sendChanges(ctx, run.staged, run, plan.send.rows + plan.send.removals)
    return yield* finishRun(ctx, sent, plan, run)
  })
}

/**
 * The read of a run that diffs in the database: the source's rows with their digests, without
 * those unchanged since last acknowledged (counted as seen first, so they are not taken for
 * removed) while the store's digests were written under this mapping. A full run, or a changed
 * mapping, reads every row, and its commits record their digests for the next run.
 */
function digestRead(ctx: RunContext, run: SnapshotRun, incremental: Incremental) {
  const { input } = ctx
  return Effect.gen(function* () {
    const digests = Option.getOrUndefined(yield* Effect.serviceOption(SourceDigests))
    if (input.diffInDatabase !== true) return {}
    if (digests === undefined || run.adoptSpec === undefined || run.seeUnchangedAtSource === undefined) {
      return { diffInDatabase: false }
    }
    const hash = digestSpecHash(input.spec, incremental.key, incremental.settings, digests.settings)
    const valid = yield* run.adoptSpec(hash)
    if (!valid || input.full === true) return { diffInDatabase: false, rows: digests.rows(false) }
    const unchangedAtSource = yield* run.seeUnchangedAtSource(digests)
    return { diffInDatabase: true, unchangedAtSource, rows: digests.rows(true) }
  })
}

/** Sends changes through the ordinary pipeline; each batch's 2xx commits its rows to the snapshot. */
function sendChanges(
  ctx: RunContext,
  changes: Stream.Stream<StagedChange, SourceError | StateError>,
  run: SnapshotRun,
  estimatedRows: number | undefined
) {
  const { input, library, source } = ctx
  const { spec, options } = input
  const pending = new Map<number, { readonly change: StagedChange; remaining: number }>()
  const prepared: Stream.Stream<PreparedRow, SourceError> = changes.pipe(
    Stream.map((change): PreparedRow => {
      pending.set(change.rowNumber, { change, remaining: change.messages.length })
      return { _tag: "Prepared", rowNumber: change.rowNumber, messages: change.messages }
    }),
    // A store that fails while changes are read ends the run like a source would.
    Stream.mapError((error) =>
      error._tag === "StateError" ? new SourceError({ message: `the state store failed: ${error.message}`, code: "state" }) : error
    )
  )
  const onSettled = (messages: ReadonlyArray<BuiltMessage>, accepted: boolean) =>
    Effect.suspend(() => {
      const delivered: Array<StagedChange> = []
      for (const message of messages) {
        const waiting = pending.get(message.rowNumber)
        if (waiting === undefined) continue
        if (!accepted) {
          pending.delete(message.rowNumber)
          continue
        }
        if (--waiting.remaining === 0) {
          pending.delete(message.rowNumber)
          delivered.push(waiting.change)
        }
      }
      return delivered.length === 0 ? Effect.void : run.commit(delivered)
    })
  return Sync.run({
    spec,
    options,
    library,
    resume: "restart",
    onSettled,
    prepared,
    ...(input.stop === undefined ? {} : { stop: input.stop })
  }).pipe(
    Effect.provide(
      Layer.succeed(RowSource, {
        description: source.description,
        estimatedRows: Effect.succeed(estimatedRows),
        fingerprint: Effect.succeed(""),
        rows: Stream.empty
      })
    ),
    // The snapshot is the incremental run's record; a checkpoint would only repeat it.
    Effect.provideService(CheckpointStore, undefined),
    // The plan checked each row's messages as it built them.
    Effect.provideService(MessageContract, undefined)
  )
}

/** One pass: the changes are classified as the source is read and sent as they come. */
function sendAsClassified(ctx: RunContext, planInput: PlanInput, run: SnapshotRun) {
  return Effect.gen(function* () {
    const planner = yield* makePlanner(planInput, run)
    if (planner.columnsFailure !== undefined) return yield* ctx.stopped(planner.columnsFailure, planner.finish(undefined, undefined))
    const estimate = yield* Effect.result(ctx.source.estimatedRows)
    const sent = yield* sendChanges(
      ctx,
      changeStream(planner, run, planInput.rows ?? ctx.source.rows),
      run,
      Result.isSuccess(estimate) ? estimate.success : undefined
    )
    const plan = planner.finish(sent.fatal?.kind === "source" ? sent.fatal : undefined, undefined)
    return yield* finishRun(ctx, sent, plan, run)
  })
}

/** The run's report: the source's rows as the plan counted them, the messages as the send did. */
function finishRun(ctx: RunContext, sent: DeliveryReport, plan: IncrementalPlan, run: SnapshotRun) {
  const { input, tally, startedAt } = ctx
  return Effect.gen(function* () {
    let forgotten = 0
    // A run forced past a removed share in a mode that sends no removals accepts the smaller
    // table: its gone keys are forgotten (as a full run's are), or every later run would trip.
    const acceptedShrink = plan.guard.forced && plan.guard.removedShare > plan.guard.maxRemovedShare && !sends(plan.mode).removed
    // A removal the tracking plan stopped keeps its key, to be tried again: nothing is forgotten then.
    const keptRemovals = (plan.rows.removalsRejected ?? 0) > 0
    if ((input.full === true || acceptedShrink) && sent.outcome === "completed" && tally.rowsRejected === 0 && !keptRemovals) {
      forgotten = yield* run.forgetUnseen.pipe(Effect.orElseSucceed(() => 0))
    }
    const report: IncrementalReport = {
      ...sent,
      outcome: sent.fatal === undefined ? sent.outcome : "aborted",
      startedAt: new Date(startedAt).toISOString(),
      durationMillis: Date.parse(sent.finishedAt) - startedAt,
      rows: {
        read: tally.rowsRead,
        mapped: tally.rowsMapped,
        rejected: tally.rowsRejected + sent.rows.rejected,
        skipped: tally.rowsSkipped,
        ...(plan.rows.removalsRejected === undefined ? {} : { removalsRejected: plan.rows.removalsRejected })
      },
      rejects: mergeRejects(tally.rejects(), sent.rejects),
      ...(ctx.contract === undefined ? {} : { trackingPlan: ctx.contract.report() }),
      incremental: forgotten === 0 ? plan : { ...plan, snapshot: { ...plan.snapshot, forgotten } }
    }
    return { report: balanced(report), plan } satisfies IncrementalResult
  })
}

/**
 * The counts the reject limit judges: the source's rows, and the removals the plan built, those the
 * tracking plan stopped counted as rejected.
 */
const withStoppedRemovals = (tally: DeliveryTally, plan: IncrementalPlan): RejectCounts => {
  const stopped = plan.rows.removalsRejected ?? 0
  return {
    rowsRead: tally.rowsRead + plan.send.removals + stopped,
    rowsSkipped: tally.rowsSkipped,
    rowsRejected: tally.rowsRejected + stopped,
    requests: tally.requests
  }
}

/** The books checked on the run's report as a whole (the plan's rows, the send's messages). */
const balanced = (report: IncrementalReport, planned?: number): IncrementalReport => {
  const fatal = checkBooks({ rows: report.rows, messages: report.messages, ...(planned === undefined ? {} : { planned }) }, report.fatal)
  return fatal === undefined || fatal === report.fatal ? report : { ...report, outcome: "aborted", fatal }
}

const mergeRejects = (first: DeliveryReport["rejects"], second: DeliveryReport["rejects"]): DeliveryReport["rejects"] => ({
  total: first.total + second.total,
  byStage: {
    source: first.byStage.source + second.byStage.source,
    validation: first.byStage.validation + second.byStage.validation,
    "batch-refused": first.byStage["batch-refused"] + second.byStage["batch-refused"],
    undelivered: first.byStage.undelivered + second.byStage.undelivered
  },
  sample: [...first.sample, ...second.sample].slice(0, 100)
})

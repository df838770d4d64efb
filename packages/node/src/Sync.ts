import {
  CheckpointStore,
  type DeliveryReport,
  MessageContract,
  PipelineOptions,
  ProgressListener,
  RunObserver,
  Sync,
  syncNamespace
} from "@tablecast/core"
import { type IncrementalReport, type IncrementalResult, incrementalOf, runIncremental, SnapshotStore } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { alertFailure, alertReport } from "./Alerts.ts"
import { stoppedErrorOf } from "./Errors.ts"
import { trackingPlanContractOf } from "./TrackingPlanOption.ts"
import { notifySettingsOf, type Progress, type Resolved, resolveOptions, type SyncOptions } from "./Options.ts"
import { ProgressChannel } from "./ProgressChannel.ts"
import { deliveryLayer, namingWarnings, NODE_LIBRARY, runEffect, snapshotStoreOfSync, sourceLayer, startErrors, warningsTargetOf } from "./Run.ts"
import { historyOf, type NodeRunProfiler, recordRun, runProfilerFor, settingsOfSync } from "./History.ts"
import { telemetryOf } from "./Telemetry.ts"

/** A sync under way: its progress as it goes, and its report at the end. */
export interface SyncRun {
  /**
   * The run's counters, as an async iterable: `for await (const p of run.progress)`. A reader that
   * falls behind gets the latest snapshot; the iteration ends when the run does (its last snapshot
   * has the final counts), whether the run finished or failed.
   */
  readonly progress: AsyncIterable<Progress>
  /** The delivery report; rejects as {@link sync} does. */
  readonly report: Promise<DeliveryReport>
}

/** An AbortSignal as the core's stop requests: an abort asks for a graceful stop (stop reading, flush). */
const stopRequestsOf = (signal: AbortSignal): Sync.StopRequests => ({
  drain: Effect.callback<void>((resume) => {
    if (signal.aborted) return resume(Effect.void)
    const onAbort = () => resume(Effect.void)
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  }),
  now: Effect.never
})

/** Runs a sync, then tells its webhook (if any) how it ended: within a bounded time, never failing the run. */
const deliver = async (
  options: SyncOptions,
  onProgress: (progress: Progress) => void,
  profiler: NodeRunProfiler | undefined
): Promise<DeliveryReport> => {
  const dryRun = options.pipeline?.dryRun === true
  const sync = await resolveOptions(options, !dryRun)
  const alerts = notifySettingsOf(options)
  try {
    const report = await run(sync, options, onProgress, profiler)
    await alertReport(alerts, report)
    return report
  } catch (error) {
    await alertFailure(alerts, syncNamespace(sync.spec), error)
    throw error
  }
}

const run = async (
  sync: Resolved,
  options: SyncOptions,
  onProgress: (progress: Progress) => void,
  profiler: NodeRunProfiler | undefined
): Promise<DeliveryReport> => {
  const dryRun = options.pipeline?.dryRun === true
  const stop = options.signal === undefined ? {} : { stop: stopRequestsOf(options.signal) }
  const listener = { intervalMillis: options.progressIntervalMillis ?? 1_000, onProgress }
  const contract = await trackingPlanContractOf(options)
  const warnings = warningsTargetOf(sync, options)
  // Telemetry is set up before the source is opened: an OTEL_* variable that does not check stops the run first.
  if (incrementalOf(sync.spec) === undefined) {
    const telemetry = await telemetryOf({ syncName: sync.name ?? sync.spec.name, kind: "sync" }, (report: DeliveryReport) => report)
    const layer = Layer.mergeAll(await sourceLayer(sync), deliveryLayer(sync, options.rejects, warnings))
    const run = Sync.run({ spec: sync.spec, options: PipelineOptions.parse(sync.pipeline), library: NODE_LIBRARY, resume: "restart", ...stop })
    // No checkpoint: a run is sent again whole, and Segment deduplicates the messageIds it already took.
    const report = await runEffect(
      run.pipe(
        telemetry,
        Effect.provide(layer),
        startErrors,
        Effect.provideService(CheckpointStore, undefined),
        Effect.provideService(ProgressListener, listener),
        Effect.provideService(RunObserver, profiler?.observer),
        Effect.provideService(MessageContract, contract)
      )
    )
    return namingWarnings(report, warnings)
  }
  const telemetry = await telemetryOf({ syncName: sync.name ?? sync.spec.name, kind: "incremental" }, (result: IncrementalResult) => result.report)
  // A plan (a dry run) sends nothing: it keeps no warnings file.
  const layer = Layer.mergeAll(await sourceLayer(sync), deliveryLayer(sync, options.rejects, dryRun ? undefined : warnings))
  const store = await snapshotStoreOfSync(sync)
  const run = runIncremental({ spec: sync.spec, options: sync.pipeline, library: NODE_LIBRARY, planOnly: dryRun, ...stop })
  const result = await runEffect(
    run.pipe(
      telemetry,
      Effect.provide(layer),
      startErrors,
      Effect.provideService(SnapshotStore, store),
      Effect.provideService(ProgressListener, listener),
      Effect.provideService(RunObserver, profiler?.observer),
      Effect.provideService(MessageContract, contract)
    )
  )
  return namingWarnings(result.report, dryRun ? undefined : warnings)
}

/** Records a run in the history its options name, if any (a stopped run too, before its promise rejects). */
const recordSyncRun = async (options: SyncOptions, report: DeliveryReport, profiler: NodeRunProfiler | undefined): Promise<void> => {
  if (options.history === undefined) return
  // Resolved again, without the write key: the settings the run had, defaults included.
  const sync = await resolveOptions(options, false)
  await recordRun(historyOf(options.history, typeof options.cwd === "string" ? options.cwd : process.cwd(), sync), {
    report,
    kind: incrementalOf(sync.spec) === undefined ? "sync" : "incremental",
    settings: settingsOfSync(sync),
    profile: profiler?.profileOf(report, (report as IncrementalReport).incremental)
  })
}

/**
 * Starts a sync and gives its progress as an async iterable beside the report's promise.
 *
 * @example
 * ```ts
 * const run = startSync({ source: { type: "csv", path: "scores.csv" }, event: "Churn Scored", customerId: "customer_id", writeKey })
 * for await (const progress of run.progress) console.log(`${progress.messagesAccepted} accepted`)
 * const report = await run.report
 * ```
 */
export const startSync = (options: SyncOptions): SyncRun => {
  const progress = new ProgressChannel<Progress>()
  const onProgress = (snapshot: Progress) => {
    progress.push(snapshot)
    options.onProgress?.(snapshot)
  }
  const report = (async () => {
    const profiler = await runProfilerFor(options.history)
    const delivered = await deliver(options, onProgress, profiler)
    await recordSyncRun(options, delivered, profiler)
    const stopped = stoppedErrorOf(delivered)
    if (stopped !== undefined) throw stopped
    return delivered
  })().finally(progress.end)
  // Whoever awaits `report` gets its rejection; a caller that only reads progress does not crash the process.
  report.catch(() => {})
  return { progress, report }
}

/**
 * Sends the rows of a table to Segment and resolves with the delivery report, once every row is
 * accounted for: accepted, or rejected with its reason (`report.rows.rejected`,
 * `report.messages.refused`; the run still resolves).
 *
 * Rejects with a {@link TablecastError}: an {@link OptionsError} naming the option at fault (nothing
 * read or sent), a {@link SourceUnavailableError}, a {@link SyncStoppedError} when the run stopped
 * early (write key refused, endpoint unreachable, too many rejects, ...), or a
 * {@link SyncAbortedError} when `signal` aborted it; the last two carry the report.
 *
 * @example
 * ```ts
 * import { sync } from "@tablecast/node"
 *
 * const report = await sync({
 *   source: { type: "csv", path: "scores.csv" },
 *   event: "Churn Scored",
 *   customerId: "customer_id",
 *   writeKey: process.env.SEGMENT_WRITE_KEY
 * })
 * console.log(`${report.messages.accepted} of ${report.rows.read} rows delivered`)
 * ```
 */
export const sync = (options: SyncOptions): Promise<DeliveryReport> => startSync(options).report

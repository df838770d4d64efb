import path from "node:path"
import {
  CheckpointStore,
  type DeliveryReport,
  MessageContract,
  PipelineOptions,
  preview,
  type PreviewResult,
  ProgressListener,
  RejectSink,
  type RowSource,
  RunObserver,
  type RunObserverShape,
  type SourceError,
  Sync
} from "@tablecast/core"
import { ConfigError } from "@tablecast/config"
import { type IncrementalResult, runIncremental, SnapshotStore } from "@tablecast/incremental"
import { SegmentTransport, type SegmentTransportOptionsError } from "@tablecast/segment"
import { checkpointFile, checkpointFileName, interruptedRun, rejectsFile, type SettledRows, warningsFile } from "@tablecast/state-file"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { withCallCounts } from "./CallCounts.ts"
import { CLI_LIBRARY } from "./Version.ts"
import type { ProgressDisplay } from "./ProgressDisplay.ts"
import { adapterOf, type SourceConfig } from "./sources/SourceRegistry.ts"
import { snapshotStoreOf } from "./StateStore.ts"
import type { ResolvedSync } from "./SyncConfig.ts"
import { runEffect } from "./RunEffect.ts"
import { StartError } from "./StartError.ts"
import { telemetryOf } from "./Telemetry.ts"
import { trackingPlanContract } from "./TrackingPlanContract.ts"

/**
 * What can stop a run before it starts, as the CLI says it: a source that cannot be opened
 * (exit 6), a destination the transport refuses (the user's input, exit 2).
 */
const startErrors = <A, R>(effect: Effect.Effect<A, SourceError | SegmentTransportOptionsError, R>) =>
  effect.pipe(
    Effect.catchTags({
      SourceError: (error) => Effect.fail(new StartError({ message: error.message })),
      SegmentTransportOptionsError: (error) => Effect.fail(new ConfigError({ message: error.message }))
    })
  )

export interface RunOptions {
  readonly dryRun: boolean
  /** Ignore the checkpoint of an interrupted run and send from the first row. */
  readonly restart: boolean
  /** Folder of checkpoint files; `undefined` keeps none. */
  readonly stateDir: string | undefined
  readonly stop?: Sync.StopRequests
  /** Watches the run for its profile (`RunProfiling`), when its history is kept. */
  readonly observer?: RunObserverShape | undefined
}

/** The RowSource of a sync, its adapter loaded first (only the source a run reads is ever loaded). */
const sourceLayer = async (source: SourceConfig, baseDir: string, env: NodeJS.ProcessEnv) => (await adapterOf(source)).layer(source, baseDir, env)

/** The checkpoint file of a sync, in the state folder. */
export const checkpointPath = (sync: ResolvedSync, stateDir: string, sourceDescription: string) =>
  path.join(stateDir, checkpointFileName(sync.name ?? `${sync.spec.type}:${sync.spec.event ?? ""}`, sourceDescription))

/**
 * Where a run's batches, rejects and warnings go: the Segment transport, the rejects file if the
 * sync names one, and in tracking-plan warn mode the warnings file if it has one (`--warnings`, or
 * beside the rejects).
 */
const delivery = (sync: ResolvedSync, rejects: { readonly keepRejects: boolean; readonly resumeAfter: SettledRows | undefined }) =>
  Layer.mergeAll(
    warningsOf(sync, rejects.keepRejects) === undefined ? Layer.empty : warningsFile(sync.trackingPlan!.warnings!, rejects.resumeAfter),
    // A dry run sends nothing, so it needs no write key; the transport is built but never called.
    SegmentTransport.layer({ ...sync.destination, writeKey: sync.writeKey ?? Redacted.make("dry-run") }),
    sync.rejects === undefined || !rejects.keepRejects
      ? RejectSink.discard
      : rejectsFile(path.resolve(sync.baseDir, sync.rejects), rejects.resumeAfter)
  )

/** The warnings file a run writes: in warn mode, when the sync has one and the run sends (a plan keeps none). */
const warningsOf = (sync: ResolvedSync, keep: boolean): string | undefined =>
  keep && sync.trackingPlan?.mode === "warn" ? sync.trackingPlan.warnings : undefined

/** The report naming the warnings file the run wrote. */
const namingWarnings = <R extends DeliveryReport>(report: R, file: string | undefined): R =>
  file === undefined || report.trackingPlan === undefined
    ? report
    : { ...report, trackingPlan: { ...report.trackingPlan, warningsFile: path.relative(process.cwd(), file) || file } }

/**
 * Tells the progress display of the run, and stops it when the run ends: a run that stopped on
 * nothing read its source to the end (`reportOf` gives the run's report).
 */
const withProgress =
  <A>(progress: ProgressDisplay, reportOf: (result: A) => DeliveryReport) =>
  <E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(
      Effect.provideService(ProgressListener, { intervalMillis: progress.intervalMillis, onProgress: progress.onProgress }),
      Effect.onExit((exit) => Effect.sync(() => progress.stop({ readAll: Exit.isSuccess(exit) && reportOf(exit.value).fatal === undefined })))
    )

/** Runs a resolved sync with the Node transport, the rejects file, a checkpoint and a progress display. */
export const runSync = async (sync: ResolvedSync, progress: ProgressDisplay, options: RunOptions): Promise<DeliveryReport> => {
  const pipeline = PipelineOptions.parse({ ...sync.pipeline, dryRun: options.dryRun || sync.pipeline.dryRun })
  const checkpointAt = options.stateDir === undefined ? undefined : checkpointPath(sync, options.stateDir, JSON.stringify(sync.source))
  const store = checkpointAt === undefined ? undefined : checkpointFile(checkpointAt)
  const resumeAfter = options.restart || pipeline.dryRun || checkpointAt === undefined ? undefined : interruptedRun(checkpointAt)
  const layer = Layer.mergeAll(await sourceLayer(sync.source, sync.baseDir, process.env), delivery(sync, { keepRejects: true, resumeAfter }))
  const telemetry = await telemetryOf(sync, "sync", (report: DeliveryReport) => report)
  const contract = await trackingPlanContract(sync.trackingPlan)
  return runEffect(
    Sync.run({
      spec: sync.spec,
      options: pipeline,
      library: CLI_LIBRARY,
      resume: options.restart ? "restart" : "auto",
      ...(options.stop === undefined ? {} : { stop: options.stop })
    }).pipe(
      telemetry,
      Effect.provide(layer),
      startErrors,
      Effect.provideService(CheckpointStore, store),
      Effect.provideService(RunObserver, options.observer),
      Effect.provideService(MessageContract, contract),
      withProgress(progress, (report: DeliveryReport) => report)
    )
  )
}

export interface IncrementalRunOptions {
  readonly full: boolean
  readonly force: boolean
  /** Plan only: count and sample the changes, send nothing. */
  readonly planOnly: boolean
  readonly sampleSize?: number
  readonly stop?: Sync.StopRequests
  /**
   * Diff in the database when the source is Postgres and the state store the same database
   * (default); false reads every row and diffs on the client.
   */
  readonly diffInDatabase?: boolean
  /** Watches the run for its profile (`RunProfiling`), when its history is kept. */
  readonly observer?: RunObserverShape | undefined
}

/**
 * Runs an incremental sync: plans against the snapshot in the state store, then (unless planning
 * only, or the guard trips) sends the changes and commits each acknowledged row.
 */
export const runIncrementalSync = async (
  sync: ResolvedSync,
  progress: ProgressDisplay,
  options: IncrementalRunOptions
): Promise<IncrementalResult> => {
  const planOnly = options.planOnly || sync.pipeline.dryRun
  const store = await snapshotStoreOf(sync.state, sync.baseDir, process.env)
  // Loaded here, not at start: a source that can diff in the database loads its driver, which a CSV run never needs.
  const { diffInDatabaseSource } = await import("./DiffInDatabase.ts")
  const inDatabase = options.diffInDatabase === false ? undefined : await diffInDatabaseSource(sync, store, process.env)
  const layer = Layer.mergeAll(
    inDatabase ?? (await sourceLayer(sync.source, sync.baseDir, process.env)),
    // A plan sends nothing, so its rejects are only counted and sampled.
    delivery(sync, { keepRejects: !planOnly, resumeAfter: undefined })
  )
  const telemetry = await telemetryOf(sync, "incremental", (result: IncrementalResult) => result.report)
  const contract = await trackingPlanContract(sync.trackingPlan)
  return runEffect(
    runIncremental({
      spec: sync.spec,
      options: sync.pipeline,
      library: CLI_LIBRARY,
      full: options.full,
      force: options.force,
      planOnly,
      ...(inDatabase === undefined ? {} : { diffInDatabase: true }),
      ...(options.sampleSize === undefined ? {} : { sampleSize: options.sampleSize }),
      ...(options.stop === undefined ? {} : { stop: options.stop })
    }).pipe(
      telemetry,
      Effect.provide(layer),
      startErrors,
      Effect.provideService(SnapshotStore, store),
      Effect.provideService(RunObserver, options.observer),
      Effect.provideService(MessageContract, contract),
      withProgress(progress, (result: IncrementalResult) => result.report)
    )
  )
}

/** The first messages of a sync, as they would be sent. */
export const runPreview = async (sync: ResolvedSync, limit: number): Promise<PreviewResult> => {
  const contract = await trackingPlanContract(sync.trackingPlan)
  return runEffect(
    preview({ spec: sync.spec, limit, library: CLI_LIBRARY }).pipe(
      Effect.provide(await sourceLayer(sync.source, sync.baseDir, process.env)),
      Effect.provideService(MessageContract, contract),
      startErrors
    )
  )
}

/** An effect that reads the sync's source, run with it (a source that cannot be opened: exit 6). */
export const runOnSource = async <A>(sync: ResolvedSync, effect: Effect.Effect<A, SourceError, RowSource>): Promise<A> =>
  runEffect(effect.pipe(Effect.provide(await sourceLayer(sync.source, sync.baseDir, process.env)), startErrors))

/** `tablecast sync`'s run: an incremental sync (planned, then sent), or a plain one from its checkpoint. */
export const deliverSync = async (
  sync: ResolvedSync,
  progress: ProgressDisplay,
  options: RunOptions & Omit<IncrementalRunOptions, "planOnly" | "stop"> & { readonly incremental: boolean }
): Promise<{ readonly report: DeliveryReport; readonly plan: IncrementalResult["plan"] }> => {
  const stop = options.stop === undefined ? {} : { stop: options.stop }
  if (options.incremental) {
    const result = await runIncrementalSync(sync, progress, {
      full: options.full,
      force: options.force,
      planOnly: options.dryRun,
      ...(options.diffInDatabase === undefined ? {} : { diffInDatabase: options.diffInDatabase }),
      observer: options.observer,
      ...stop
    })
    const warnings = warningsOf(sync, !(options.dryRun || sync.pipeline.dryRun))
    return { report: namingWarnings(withCallCounts(result.report, sync.spec, result.plan), warnings), plan: result.plan }
  }
  const report = await runSync(sync, progress, {
    dryRun: options.dryRun,
    restart: options.restart,
    stateDir: options.stateDir,
    observer: options.observer,
    ...stop
  })
  return { report: namingWarnings(withCallCounts(report, sync.spec, undefined), warningsOf(sync, true)), plan: undefined }
}

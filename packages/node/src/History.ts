import path from "node:path"
import {
  type DeliveryReport,
  defaultRunRetention,
  type RunHistory,
  type RunKind,
  type RunObserverShape,
  type RunProfile,
  runRecordOf
} from "@tablecast/core"
import { type IncrementalPlan, incrementalOf, planCountsOf } from "@tablecast/incremental"
import { RUN_HISTORY_FILE_NAME, runHistoryFile } from "@tablecast/state-file/history"
import { libraryDrivers } from "./Drivers.ts"
import { optionsErrorOf, type Resolved } from "./Options.ts"
import type { HistoryOption } from "./HistoryOption.ts"
import { runHistoryOfState } from "./StateStore.ts"

export type { HistoryOption } from "./HistoryOption.ts"
import { exitCodeOfReport } from "./Errors.ts"

const isStore = (option: HistoryOption): option is RunHistory => typeof option === "object" && "append" in option

/** The store a history option names for a sync; a file's path starts from `cwd`, the state's from the sync's base folder. */
export const historyOf = async (option: HistoryOption, cwd: string, sync: Resolved): Promise<RunHistory> => {
  if (isStore(option)) return option
  if (typeof option === "object" && "state" in option) {
    const retention = option.retention ?? defaultRunRetention
    if (incrementalOf(sync.spec) !== undefined) {
      return runHistoryOfState(sync.state, sync.baseDir, process.env, libraryDrivers(), { retention }).catch((error: unknown) => {
        throw optionsErrorOf(error)
      })
    }
    return runHistoryFile(path.join(sync.baseDir, ".tablecast", "state", RUN_HISTORY_FILE_NAME), { retention })
  }
  const { file, retention } = typeof option === "string" ? { file: option, retention: undefined } : option
  return runHistoryFile(path.resolve(cwd, file), retention === undefined ? {} : { retention })
}

/** The settings that shaped a run, as its record keeps them (never a key, a URL or a password). */
export const settingsOfSync = (sync: {
  readonly pipeline: {
    readonly batchProfile?: string | undefined
    readonly batchCount?: number | undefined
    readonly batchBytes?: number | undefined
    readonly maxInFlight: number
    readonly maxRps: number
    readonly maxRetryMillis: number
  }
  readonly destination: { readonly region?: string | undefined; readonly gzip?: boolean | undefined }
}): Readonly<Record<string, string | number | boolean | undefined>> => ({
  batchProfile: sync.pipeline.batchProfile,
  batchCount: sync.pipeline.batchCount,
  batchBytes: sync.pipeline.batchBytes,
  maxInFlight: sync.pipeline.maxInFlight,
  maxRps: sync.pipeline.maxRps,
  maxRetryMillis: sync.pipeline.maxRetryMillis,
  region: sync.destination.region,
  gzip: sync.destination.gzip
})

/** A run's profiler: the run's observer, and its profile at the end (movement from the plan of an incremental run). */
export interface NodeRunProfiler {
  readonly observer: RunObserverShape
  readonly profileOf: (report: DeliveryReport, plan: IncrementalPlan | undefined) => RunProfile
}

/** The profiler of a run that records its history, loaded then only: a run without a history loads no sketch. */
export const runProfilerFor = async (history: HistoryOption | undefined): Promise<NodeRunProfiler | undefined> => {
  if (history === undefined) return undefined
  const { RunProfiler } = await import("@tablecast/core/profile")
  const profiler = new RunProfiler()
  return {
    observer: profiler,
    profileOf: (report, plan) => profiler.profile({ startedAtMillis: Date.parse(report.startedAt), movement: plan?.movement })
  }
}

/**
 * Records a run in its history. A history that cannot be written does not change the run's result:
 * it is told as a process warning (`TablecastHistoryWarning`), never as the run's error.
 */
export const recordRun = async (
  /** The store, or its promise: a store that cannot be opened (a driver missing) is warned about like one that cannot be written. */
  history: RunHistory | Promise<RunHistory>,
  run: {
    readonly report: DeliveryReport
    readonly kind: RunKind
    readonly plan?: IncrementalPlan | undefined
    readonly settings: Readonly<Record<string, string | number | boolean | undefined>>
    readonly profile?: RunProfile | undefined
  }
): Promise<void> => {
  const plan = run.plan
  const record = runRecordOf(run.report, {
    exitCode: exitCodeOfReport(run.report),
    kind: run.kind,
    trigger: "node",
    peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    settings: run.settings,
    ...(plan === undefined ? {} : { plan: planCountsOf(plan) }),
    ...(run.profile === undefined ? {} : { profile: run.profile })
  })
  try {
    await (await history).append(record)
  } catch (error) {
    process.emitWarning(`the run history could not be written (${(error as Error).message}); the run is not recorded`, "TablecastHistoryWarning")
  }
}

import { existsSync } from "node:fs"
import path from "node:path"
import type { HistoryConfig } from "@tablecast/config"
import { loadConfigFile } from "@tablecast/config/node"
import {
  type DeliveryReport,
  defaultRunRetention,
  type RunKind,
  type RunProfile,
  runRecordOf,
  type RunRecord,
  type RunRetention
} from "@tablecast/core"
import { type IncrementalPlan, planCountsOf } from "@tablecast/incremental"
import { describeFsError } from "@tablecast/state-file"
import { RUN_HISTORY_FILE_NAME, runHistoryFile } from "@tablecast/state-file/history"
import { runHistoryOfState } from "@tablecast/node/shared"
import { DEFAULT_CONFIG_FILE } from "./ConfigEntry.ts"
import type { HistorySource } from "./HistorySources.ts"
import { cliDrivers } from "./sources/Drivers.ts"
import type { ResolvedSync } from "./SyncConfig.ts"

/** Where a command's run history is, and whether and how long runs are kept there. */
export interface HistorySettings {
  readonly enabled: boolean
  readonly file: string
  readonly retention: RunRetention
}

/** The config file a command reads, as `configEntryOf` finds it; undefined when it runs from flags alone. */
const configFileOf = (input: { readonly configFile: string | undefined; readonly syncName: string | undefined; readonly cwd: string }) => {
  const file = input.configFile ?? (input.syncName === undefined ? undefined : DEFAULT_CONFIG_FILE)
  return file === undefined ? undefined : path.resolve(input.cwd, file)
}

/** The `history` of a config file: read only when a command names a config file (the file was read and checked already). */
export const historyConfigOf = async (input: {
  readonly configFile: string | undefined
  readonly syncName: string | undefined
  readonly cwd: string
}): Promise<HistoryConfig | undefined> => {
  const file = configFileOf(input)
  return file === undefined || !existsSync(file) ? undefined : (await loadConfigFile(file)).history
}

/**
 * The history settings of a command: `--no-history` (or `"history": false` in the config) records
 * nothing; retention is the config's, else the default (1,000 runs, 90 days).
 */
export const historySettingsOf = (input: {
  readonly flag: boolean | undefined
  readonly config: HistoryConfig | undefined
  readonly stateDir: string
}): HistorySettings => {
  const config = typeof input.config === "object" ? input.config : { enabled: input.config }
  return {
    enabled: input.flag ?? config.enabled ?? true,
    file: path.join(input.stateDir, RUN_HISTORY_FILE_NAME),
    retention: { maxRuns: config.maxRuns ?? defaultRunRetention.maxRuns, maxAgeDays: config.maxAgeDays ?? defaultRunRetention.maxAgeDays }
  }
}

/** The settings that shaped a run: its batch limits, concurrency, rate and retry budget (never a key, a URL or a password). */
const settingsOf = (sync: ResolvedSync, extra: Readonly<Record<string, string | number | boolean | undefined>>) => ({
  batchProfile: sync.pipeline.batchProfile,
  batchCount: sync.pipeline.batchCount,
  batchBytes: sync.pipeline.batchBytes,
  maxInFlight: sync.pipeline.maxInFlight,
  maxRps: sync.pipeline.maxRps,
  maxRetryMillis: sync.pipeline.maxRetryMillis,
  maxAttempts: sync.pipeline.maxAttempts,
  region: sync.destination.region,
  gzip: sync.destination.gzip,
  ...extra
})

/**
 * Records a run at its end: one line appended to the history (and the oldest dropped past the
 * retention). A history that cannot be written does not change how the run went: the warning
 * comes back for the command to print, and the run keeps its exit code.
 */
export const recordRun = async (
  settings: HistorySettings,
  run: {
    readonly sync: ResolvedSync
    readonly report: DeliveryReport
    readonly kind: RunKind
    readonly exitCode: number
    readonly plan?: IncrementalPlan | undefined
    readonly settings?: Readonly<Record<string, string | number | boolean | undefined>>
    /** What the run's profiler collected (`RunProfiling`). */
    readonly profile?: RunProfile | undefined
  }
): Promise<{ readonly record: RunRecord; readonly history: HistorySource; readonly warning?: string }> => {
  const record = runRecordOf(run.report, {
    exitCode: run.exitCode,
    kind: run.kind,
    trigger: "cli",
    // maxRSS is in kibibytes: the peak of the whole process, the run's own peak.
    peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    settings: settingsOf(run.sync, run.settings ?? {}),
    ...(run.plan === undefined ? {} : { plan: planCountsOf(run.plan) }),
    ...(run.profile === undefined ? {} : { profile: run.profile })
  })
  // An incremental run (or plan) is recorded in the snapshot store it already uses; any other run in the JSONL file.
  const inState = run.kind !== "sync"
  const history: HistorySource = inState
    ? {
        location: "the sync's state store",
        open: () => runHistoryOfState(run.sync.state, run.sync.baseDir, process.env, cliDrivers, { retention: settings.retention })
      }
    : { location: settings.file, open: async () => runHistoryFile(settings.file, { retention: settings.retention }) }
  // Not recorded, the record still makes the run's HTML report (compared with the runs kept where it would have gone).
  if (!settings.enabled) return { record, history }
  let location = history.location
  try {
    const opened = await history.open()
    location = "location" in opened && typeof opened.location === "string" ? opened.location : location
    await opened.append(record)
    return { record, history }
  } catch (error) {
    // A store's StateError names the store itself; a file's error is told by its code.
    if ((error as { _tag?: unknown })._tag === "StateError") {
      return { record, history, warning: `the run history could not be written (${(error as Error).message}); the run is not recorded` }
    }
    const why = inState ? (error as Error).message : describeFsError(error)
    return { record, history, warning: `the run history ${location} could not be written (${why}); the run is not recorded` }
  }
}

/** A command's run as recorded: its record (kept in the history or not), the history it belongs to, and the warning to print, if any. */
export interface RecordedRun {
  readonly record: RunRecord
  readonly history: HistorySource
  readonly warning?: string
}

/**
 * Records a command's run as its flags and config say (loaded lazily by `sync` and `plan`, at the
 * run's end: a run loads nothing for its history before). Gives the record (recorded or not) and
 * the warning to print, if any.
 */
export const recordCliRun = async (input: {
  readonly flag: boolean | undefined
  readonly configFile: string | undefined
  readonly syncName: string | undefined
  readonly stateDir: string
  readonly run: Parameters<typeof recordRun>[1]
}): Promise<RecordedRun> => {
  const config = await historyConfigOf({ configFile: input.configFile, syncName: input.syncName, cwd: process.cwd() })
  const settings = historySettingsOf({ flag: input.flag, config, stateDir: input.stateDir })
  const recorded = await recordRun(settings, input.run)
  return { record: recorded.record, history: recorded.history, ...(recorded.warning === undefined ? {} : { warning: recorded.warning }) }
}

import { ConfigError, type Destination, resolveNotify, type StateConfig } from "@tablecast/config"
import type { AlertSettings } from "@tablecast/core/notify"
import type { NotifyOptions } from "./Alerts.ts"
import { resolveSync, type ResolvedSync } from "@tablecast/config/node"
import {
  formatIssues,
  issuePlaces,
  PipelineOptions as PipelineSchema,
  type PipelineOptionsInput,
  type ProgressSnapshot,
  type RejectedRow,
  SecretSettingError,
  type WarnedRow
} from "@tablecast/core"
import { IncrementalSyncSpec, type IncrementalSyncSpecInput } from "@tablecast/incremental"
import type * as z from "zod"
import { DriverMissingError } from "./Drivers.ts"
import type { TrackingPlanOptions } from "./TrackingPlanOption.ts"
import { OptionsError, PackageMissingError } from "./Errors.ts"
import type { HistoryOption } from "./HistoryOption.ts"
import { type SourceConfig, type SourceOptions, sourcesOfLibrary, sourceTypes } from "./SourceRegistry.ts"

/**
 * The mapping of rows to Segment calls, with the keys of a config-file entry (docs/config.md):
 * `type` (`track`, `identify`, `group`, a list of them, or `both`), `groupId` (for group calls), `event`, `customerId` (the column that becomes
 * `userId`), `anonymousId`, `timestamp`, `properties` / `traits` / `groupTraits` (columns, or `"*"`), `exclude`,
 * `rename`, `columns` (declared types), `name`, and for an incremental sync `key` and `incremental`.
 */
export type MappingOptions = IncrementalSyncSpecInput

/** What every call takes: where the rows come from, how they map, and the folder relative paths start from. */
export type SourceAndMapping = MappingOptions & {
  /** Where the rows come from, e.g. `{ type: "csv", path: "scores.csv" }`. */
  readonly source: SourceOptions
  /** The folder relative paths (the CSV file, `rejects`, the state file) start from; default `process.cwd()`. */
  readonly cwd?: string
  /** Where an incremental sync keeps its snapshot; default `.tablecast/state.db` in `cwd`. */
  readonly state?: StateConfig
}

/** Where batches go, as a config entry's `destination`; the write key itself is `writeKey`. */
export type DestinationOptions = z.input<typeof Destination>

/** How a sync sends, as a config entry's `pipeline`: batch sizes, requests in flight, request rate, retries, reject limits. */
export type PipelineOptions = PipelineOptionsInput

/** A snapshot of a run's counters, given to `onProgress` and by `startSync(...).progress`. */
export type Progress = ProgressSnapshot

/** One row that did not reach Segment, with the reason (and its values when validation refused it). */
export type Reject = RejectedRow

/** A row sent although it breaks the tracking plan (`trackingPlanMode: "warn"`): its violations (rule, property, text) and values. */
export type Warning = WarnedRow

/** Options of {@link sync} and {@link startSync}. */
export type SyncOptions = SourceAndMapping &
  TrackingPlanOptions & {
    /**
     * The Segment source's write key. Kept redacted inside: it is never logged, and never in an
     * error or a report. Default: the variable `destination.writeKeyEnv` names (`SEGMENT_WRITE_KEY`).
     * Not needed for a dry run (`pipeline: { dryRun: true }`).
     */
    readonly writeKey?: string
    /** Where batches go: `endpoint` (default Segment's US API) or `region` (`us`, `eu`), `gzip`, `timeoutMillis`, `connections`. */
    readonly destination?: DestinationOptions
    /** How to send: `batchCount`, `batchBytes`, `maxInFlight`, `maxRps`, `maxAttempts`, `maxRejectedRows`, `dryRun`, ... */
    readonly pipeline?: PipelineOptions
    /**
     * Every rejected row: a JSONL file (relative to `cwd`), or a function called with each batch of
     * rejects as they are decided (a function that throws stops the run, kind `output`).
     */
    readonly rejects?: string | ((rejects: ReadonlyArray<Reject>) => void | Promise<void>)
    /**
     * With `trackingPlanMode: "warn"`, every row sent with warnings: a JSONL file (relative to `cwd`),
     * or a function called with each batch of them as they are decided (one that throws stops the
     * run, kind `output`). Default: beside a `rejects` file (`rejects.jsonl` → `rejects.warnings.jsonl`).
     */
    readonly warnings?: string | ((warnings: ReadonlyArray<Warning>) => void | Promise<void>)
    /**
     * Records the run at its end in a run history: a JSONL file (relative to `cwd`), with a
     * retention if given, or any `RunHistory` store. Off by default.
     */
    readonly history?: HistoryOption
    /**
     * Aborting stops reading, flushes what is queued and in flight (within `pipeline.drainTimeoutMillis`),
     * and rejects the promise with a {@link SyncAbortedError} that carries the report.
     */
    readonly signal?: AbortSignal
    /** Called after every batch and at least every `progressIntervalMillis`; one that throws stops the run (kind `internal`). */
    readonly onProgress?: (progress: Progress) => void
    /** How often progress is told when no batch settles, in milliseconds (default 1000). */
    readonly progressIntervalMillis?: number
    /**
     * A webhook told of the run's end: on failure, an incomplete run, the guard, rejects over
     * `rejectsOver`, or success, as `on` says. Sent within about 10 seconds after the run; one that
     * does not go through is a process warning, never the run's failure.
     */
    readonly notify?: NotifyOptions
  }

/** Options of {@link preview}. */
export type PreviewOptions = SourceAndMapping &
  TrackingPlanOptions & {
    /** How many messages to build (default 5, at most 10,000). */
    readonly limit?: number
  }

/** Options of {@link plan}. */
export type PlanOptions = SourceAndMapping &
  TrackingPlanOptions & {
    /** Batch limits and request rate, for the requests and the duration the plan works out. */
    readonly pipeline?: PipelineOptions
    /** Changed rows to give with their values before and after (default 10). */
    readonly sampleSize?: number
    /** Plan as a full run would: every row is sent and the snapshot rebuilt. */
    readonly full?: boolean
    /** Records the plan in a run history, as `SyncOptions.history` does. Off by default. */
    readonly history?: HistoryOption
  }

/** The keys that are not the mapping's: every other key is the sync spec's, checked as such. */
const frameKeys: ReadonlySet<string> = new Set([
  "source",
  "cwd",
  "history",
  "state",
  "writeKey",
  "destination",
  "pipeline",
  "rejects",
  "warnings",
  "signal",
  "onProgress",
  "progressIntervalMillis",
  "notify",
  "limit",
  "sampleSize",
  "full",
  "trackingPlan",
  "trackingPlanMode"
])

/** A sync ready to run, its source one of this package's. */
export type Resolved = ResolvedSync<SourceConfig, IncrementalSyncSpec>

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

/** A ConfigError (or a missing secret setting) as the options error it is, naming the option. */
export const optionsErrorOf = (error: unknown): unknown => {
  if (error instanceof ConfigError) return new OptionsError(error.message, error.field ?? error.flag)
  if (error instanceof SecretSettingError) return new OptionsError(error.message, error.message.split(":")[0])
  if (error instanceof DriverMissingError) return new PackageMissingError(error.message, error.packageName, error.versionRange)
  return error
}

/**
 * Checks the options with the same parser as a config-file entry (@tablecast/config's
 * resolveSync). Throws an {@link OptionsError} naming the option at fault.
 */
export const resolveOptions = async (options: unknown, needsWriteKey: boolean): Promise<Resolved> => {
  if (!isRecord(options)) throw new OptionsError("options: expected an object", undefined)
  if (options.source === undefined) {
    throw new OptionsError(`source: missing; e.g. { type: "csv", path: "scores.csv" } (sources: ${sourceTypes.join(", ")})`, "source")
  }
  if (!isRecord(options.source)) throw new OptionsError("source: expected an object", "source")
  const destination = isRecord(options.destination) ? options.destination : {}
  const writeKeyEnv = typeof destination.writeKeyEnv === "string" ? destination.writeKeyEnv : "SEGMENT_WRITE_KEY"
  const writeKey = options.writeKey
  if (writeKey !== undefined && typeof writeKey !== "string") throw new OptionsError("writeKey: expected a string", "writeKey")
  if (needsWriteKey && (writeKey ?? process.env[writeKeyEnv] ?? "").trim() === "") {
    throw new OptionsError(`writeKey: missing; pass writeKey, or set ${writeKeyEnv}`, "writeKey")
  }
  const rejects = options.rejects
  if (rejects !== undefined && typeof rejects !== "string" && typeof rejects !== "function") {
    throw new OptionsError("rejects: expected a file path or a function", "rejects")
  }
  const warnings = options.warnings
  if (warnings !== undefined && typeof warnings !== "string" && typeof warnings !== "function") {
    throw new OptionsError("warnings: expected a file path or a function", "warnings")
  }
  // Checked here first: resolveSync, without a config entry, names pipeline fields as the CLI's flags do.
  const pipeline = PipelineSchema.safeParse(options.pipeline ?? {})
  if (!pipeline.success) {
    const first = pipeline.error.issues[0]
    throw new OptionsError(formatIssues(pipeline.error, "pipeline"), first === undefined ? "pipeline" : issuePlaces(first, "pipeline")[0])
  }
  try {
    return await resolveSync<SourceConfig, IncrementalSyncSpec>({
      spec: IncrementalSyncSpec,
      overrides: {
        source: options.source,
        spec: Object.fromEntries(Object.entries(options).filter(([key]) => !frameKeys.has(key))),
        destination: options.destination === undefined ? {} : (options.destination as Record<string, unknown>),
        pipeline: options.pipeline === undefined ? {} : (options.pipeline as Record<string, unknown>),
        ...(typeof rejects === "string" ? { rejects } : {}),
        ...(writeKey === undefined ? {} : { writeKey }),
        ...(options.state === undefined ? {} : { state: options.state as StateConfig })
      },
      sources: sourcesOfLibrary().configSources,
      env: process.env,
      cwd: typeof options.cwd === "string" ? options.cwd : process.cwd(),
      flagOf: {},
      needsWriteKey
    })
  } catch (error) {
    throw optionsErrorOf(error)
  }
}

/** The alert settings of `notify` (checked as a config entry's `notify`), or undefined when none. */
export const notifySettingsOf = (options: { readonly notify?: unknown }): AlertSettings | undefined => {
  try {
    return resolveNotify(options.notify, undefined, process.env, "")
  } catch (error) {
    throw optionsErrorOf(error)
  }
}

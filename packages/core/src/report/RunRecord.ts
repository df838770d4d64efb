import type { ContractReport } from "../contract/ContractReport.ts"
import type { CallCounts } from "./CallCounts.ts"
import type { DeliveryReport, FatalError, RunOutcome } from "./DeliveryReport.ts"
import type { RejectStage } from "./RejectSink.ts"
import type { RunProfile } from "./RunProfile.ts"

/** The version of the record's shape: a reader skips records of a version it does not know. */
export const RUN_RECORD_VERSION = 1

/** What started the run: the CLI, the Promise API, the edge worker (a request or a cron trigger). */
export type RunTrigger = "cli" | "node" | "edge" | "cron"

/** What the run did: a plain sync, an incremental sync, or an incremental plan (nothing sent). */
export type RunKind = "sync" | "incremental" | "plan"

/** The counts of an incremental plan, for a run that planned against a snapshot. */
export interface RunPlanCounts {
  readonly full: boolean
  readonly added: number
  readonly changed: number
  readonly unchanged: number
  readonly removed: number
  readonly duplicates: number
  /** Whether the guard stopped the run before anything was sent. */
  readonly guardTripped: boolean
}

/** A setting that shaped the run (batch limits, concurrency, rate, retry budget): numbers, flags or names only. */
export type RunSettingValue = string | number | boolean

/**
 * The summary of one run, kept in a run history: what ran, when, how it ended and its counts. It
 * holds no row value and no secret (the source description is the report's, which never has one),
 * so it can be listed, stored and shipped anywhere.
 */
export interface RunRecord {
  readonly version: typeof RUN_RECORD_VERSION
  /** Sortable by start time: `20261207T160208123Z-1a2b3c`. */
  readonly id: string
  readonly sync: string
  readonly kind: RunKind
  readonly trigger: RunTrigger
  readonly dryRun: boolean
  readonly source: string
  readonly endpoint: string
  readonly startedAt: string
  readonly endedAt: string
  readonly durationMillis: number
  readonly outcome: RunOutcome
  /** What the CLI exited with (or would have): 0 for a clean run, see docs/exit-codes.md. */
  readonly exitCode: number
  /** Why the run stopped early, when it did (kind and message, never a secret). */
  readonly fatal?: Pick<FatalError, "kind" | "message">
  readonly counts: {
    readonly read: number
    readonly mapped: number
    readonly rejected: number
    readonly rejectedByReason: Readonly<Record<RejectStage, number>>
    readonly skipped: number
    readonly built: number
    readonly accepted: number
    readonly refused: number
    readonly undelivered: number
    /** Of `built`, the messages of each call type, where the report has them (`DeliveryReport.messages.calls`). */
    readonly calls?: CallCounts
  }
  readonly requests: {
    readonly total: number
    readonly retries: number
    /** Requests answered 429 (too many requests). */
    readonly throttled: number
  }
  /** Request body bytes sent, retries included. */
  readonly bytesSent: number
  readonly throughput: {
    /** Rows read per second over the whole run. */
    readonly rowsPerSecond: number
    /** Messages accepted per second over the whole run. */
    readonly acceptedPerSecond: number
  }
  /** Peak resident memory of the process during the run, in bytes, when the runner measures it. */
  readonly peakMemoryBytes?: number
  readonly settings: Readonly<Record<string, RunSettingValue>>
  readonly plan?: RunPlanCounts
  /**
   * What the run's tracking plan found, as counts by rule and property (no row's values: the report's
   * `firstRows`, whose texts quote values, stay out of the history).
   */
  readonly trackingPlan?: Omit<ContractReport, "firstRows">
  /** The data behind the run's HTML report: property distributions, timeline, reject examples, movement. */
  readonly profile?: RunProfile
}

/** What the runner knows beside the report. */
export interface RunMeta {
  readonly id?: string
  readonly exitCode: number
  readonly kind?: RunKind
  readonly trigger?: RunTrigger
  readonly peakMemoryBytes?: number
  readonly settings?: Readonly<Record<string, RunSettingValue | undefined>>
  readonly plan?: RunPlanCounts
  /** What the runner profiled of the run (`@tablecast/core/profile`), when it did. */
  readonly profile?: RunProfile
}

const perSecond = (count: number, millis: number): number => (millis <= 0 ? 0 : Math.round((count * 1000 * 100) / millis) / 100)

/** A run id sortable by start time: its compact UTC start, then a random suffix that tells runs of the same millisecond apart. */
export const newRunId = (startedAt: string | Date, random: () => number = Math.random): string => {
  const at = new Date(startedAt)
  const stamp = (Number.isNaN(at.getTime()) ? new Date(0) : at).toISOString().replace(/[-:.]/g, "")
  const suffix = Math.floor(random() * 0x1000000)
    .toString(16)
    .padStart(6, "0")
  return `${stamp}-${suffix}`
}

/** Drops the settings left undefined, so a record only names what was set. */
const definedSettings = (settings: RunMeta["settings"]): Record<string, RunSettingValue> =>
  Object.fromEntries(Object.entries(settings ?? {}).filter((entry): entry is [string, RunSettingValue] => entry[1] !== undefined))

/** The record of a run, from its report and what the runner knows beside it. */
export const runRecordOf = (report: DeliveryReport, meta: RunMeta): RunRecord => ({
  version: RUN_RECORD_VERSION,
  id: meta.id ?? newRunId(report.startedAt),
  sync: report.sync,
  kind: meta.kind ?? "sync",
  trigger: meta.trigger ?? "cli",
  dryRun: report.dryRun,
  source: report.source,
  endpoint: report.endpoint,
  startedAt: report.startedAt,
  endedAt: report.finishedAt,
  durationMillis: report.durationMillis,
  outcome: report.outcome,
  exitCode: meta.exitCode,
  ...(report.fatal === undefined ? {} : { fatal: { kind: report.fatal.kind, message: report.fatal.message } }),
  counts: {
    read: report.rows.read,
    mapped: report.rows.mapped,
    rejected: report.rows.rejected,
    rejectedByReason: { ...report.rejects.byStage },
    skipped: report.rows.skipped,
    built: report.messages.built,
    accepted: report.messages.accepted,
    refused: report.messages.refused,
    undelivered: report.messages.undelivered,
    ...(report.messages.calls === undefined ? {} : { calls: { ...report.messages.calls } })
  },
  requests: {
    total: report.batches.requests,
    retries: report.batches.retries,
    throttled: report.sending?.throttled ?? 0
  },
  bytesSent: report.bytesSent,
  throughput: {
    rowsPerSecond: perSecond(report.rows.read, report.durationMillis),
    acceptedPerSecond: perSecond(report.messages.accepted, report.durationMillis)
  },
  ...(meta.peakMemoryBytes === undefined ? {} : { peakMemoryBytes: meta.peakMemoryBytes }),
  settings: definedSettings(meta.settings),
  ...(meta.plan === undefined ? {} : { plan: meta.plan }),
  ...(report.trackingPlan === undefined ? {} : { trackingPlan: trackingPlanCounts(report.trackingPlan) }),
  ...(meta.profile === undefined ? {} : { profile: meta.profile })
})

const trackingPlanCounts = ({ firstRows: _values, ...counts }: ContractReport): Omit<ContractReport, "firstRows"> => counts

/** Whether a value read back (a JSON line, a stored object) is a record of this version: a reader skips anything else. */
export const isRunRecord = (value: unknown): value is RunRecord => {
  if (typeof value !== "object" || value === null) return false
  const record = value as Partial<Record<keyof RunRecord, unknown>>
  return (
    record.version === RUN_RECORD_VERSION &&
    typeof record.id === "string" &&
    typeof record.sync === "string" &&
    typeof record.startedAt === "string" &&
    typeof record.outcome === "string" &&
    typeof record.exitCode === "number" &&
    typeof record.counts === "object" &&
    record.counts !== null
  )
}

import {
  type DeliveryReport,
  exitCodeOfEnding,
  exitCodeOfReport,
  newRunId,
  type PipelineOptions,
  type RunSettingValue,
  runRecordOf,
  type RunTrigger
} from "@tablecast/core"
import type { RunStatus } from "../RunStatus.ts"
import type { DoneEdgeRun, RunningEdgeRun } from "./EdgeRunEntry.ts"

/** The settings that shaped a run, as its record keeps them (numbers and names only). */
export const runSettingsOf = (options: PipelineOptions, extra: Readonly<Record<string, RunSettingValue>>): Record<string, RunSettingValue> =>
  Object.fromEntries(
    Object.entries<RunSettingValue | undefined>({
      ...extra,
      batchProfile: options.batchProfile,
      batchCount: options.batchCount,
      batchBytes: options.batchBytes,
      maxInFlight: options.maxInFlight,
      maxRps: options.maxRps,
      maxRetryMillis: options.maxRetryMillis
    }).filter((entry): entry is [string, RunSettingValue] => entry[1] !== undefined)
  )

/** The record of a synchronous run, from its delivery report. */
export const syncRunOf = (
  report: DeliveryReport,
  input: { readonly runId: string; readonly trigger: RunTrigger; readonly settings: Readonly<Record<string, RunSettingValue>> }
): DoneEdgeRun => ({
  ...runRecordOf(report, {
    id: newRunId(report.startedAt),
    exitCode: exitCodeOfReport(report),
    trigger: input.trigger,
    settings: input.settings
  }),
  runId: input.runId,
  mode: "sync",
  state: "done"
})

/** A queued run's chunks added up into one delivery report of the whole run (its rejects without a sample). */
export const queuedReportOf = (status: RunStatus, dryRun: boolean): DeliveryReport => {
  const outcome = status.outcome ?? "incomplete"
  const endedAt = status.finishedAt ?? status.startedAt
  return {
    outcome,
    dryRun,
    sync: status.sync,
    source: status.source,
    endpoint: status.endpoint,
    startedAt: status.startedAt,
    finishedAt: endedAt,
    durationMillis: Math.max(0, Date.parse(endedAt) - Date.parse(status.startedAt)),
    rows: { read: status.rows.read, mapped: status.rows.mapped, rejected: status.rows.rejected, skipped: status.rows.skipped },
    messages: status.messages,
    batches: status.batches,
    bytesSent: status.bytesSent,
    rejects: { total: status.rejects.total, byStage: status.rejects.byStage, sample: [] },
    ...(status.sending === undefined ? {} : { sending: status.sending }),
    ...(status.trackingPlan === undefined ? {} : { trackingPlan: status.trackingPlan }),
    ...(status.fatal === undefined ? {} : { fatal: status.fatal })
  }
}

/** The exit code the CLI would have given a queued run with this status (core's table, docs/exit-codes.md). */
export const queuedExitCodeOf = (status: RunStatus): number =>
  exitCodeOfEnding({
    outcome: status.outcome ?? "incomplete",
    rejected: status.rows.rejected,
    ...(status.fatal === undefined ? {} : { fatal: status.fatal })
  })

/**
 * The record of a queued run once every chunk is accounted for, from its status: the chunks'
 * reports added up are a delivery report of the whole run. `unread` rows (chunks dead-lettered
 * after the run stopped, or never enqueued) are in no count of the record but `outcome`.
 */
export const queuedRunOf = (status: RunStatus, running: RunningEdgeRun): DoneEdgeRun => {
  const report = queuedReportOf(status, running.dryRun)
  return {
    ...runRecordOf(report, {
      id: running.id,
      exitCode: queuedExitCodeOf(status),
      trigger: running.trigger,
      settings: running.settings
    }),
    runId: running.runId,
    mode: "queue",
    state: "done",
    queue: { chunks: status.chunks.total, deadLettered: status.chunks.deadLettered, rows: status.rows.total, unread: status.rows.unread }
  }
}

import type { DeliveryReport, FatalError, RunOutcome } from "../report/DeliveryReport.ts"
import type { AlertSettings, AlertTrigger } from "./AlertSettings.ts"

/** What an alert says about a run: names, outcome and counts only, never a row value or a secret. */
export interface RunAlert {
  readonly trigger: AlertTrigger
  readonly sync: string
  /** `failed` when the run never started (no report): its source could not be opened, and the like. */
  readonly outcome: RunOutcome | "failed"
  readonly exitCode: number
  readonly dryRun: boolean
  readonly startedAt?: string
  readonly durationMillis?: number
  readonly counts?: {
    readonly read: number
    readonly accepted: number
    readonly rejected: number
    readonly refused: number
    readonly undelivered: number
    readonly skipped: number
  }
  /** Why the run stopped, in its one-line, secret-free words. */
  readonly reason?: { readonly kind: FatalError["kind"] | "start"; readonly message: string }
}

/** Reasons are one line, and short: a webhook is no place for a stack trace. */
const MAX_REASON_CHARS = 300

const shortReason = (message: string): string => {
  const line = message.split("\n")[0] ?? ""
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS - 1)}…` : line
}

/** The trigger a run's report fires, by precedence (guard, failure, incomplete, rejects, success), or undefined. */
export const triggerOf = (report: DeliveryReport, settings: Pick<AlertSettings, "on" | "rejectsOver">): AlertTrigger | undefined => {
  const fired: ReadonlyArray<AlertTrigger> = [
    ...(report.fatal?.kind === "guard" ? (["guard"] as const) : []),
    ...(report.outcome === "aborted" && report.fatal?.kind !== "guard" ? (["failure"] as const) : []),
    ...(report.outcome === "incomplete" ? (["incomplete"] as const) : []),
    ...(report.rows.rejected > settings.rejectsOver ? (["rejects"] as const) : [])
  ]
  const chosen = fired.find((trigger) => settings.on.includes(trigger))
  if (chosen !== undefined) return chosen
  return fired.length === 0 && report.outcome === "completed" && settings.on.includes("success") ? "success" : undefined
}

/** The alert a finished run sends, or undefined when none of the sync's triggers fired. */
export const alertOfReport = (
  report: DeliveryReport,
  exitCode: number,
  settings: Pick<AlertSettings, "on" | "rejectsOver">
): RunAlert | undefined => {
  const trigger = triggerOf(report, settings)
  if (trigger === undefined) return undefined
  return {
    trigger,
    sync: report.sync,
    outcome: report.outcome,
    exitCode,
    dryRun: report.dryRun,
    startedAt: report.startedAt,
    durationMillis: report.durationMillis,
    counts: {
      read: report.rows.read,
      accepted: report.messages.accepted,
      rejected: report.rows.rejected,
      refused: report.messages.refused,
      undelivered: report.messages.undelivered,
      skipped: report.rows.skipped
    },
    ...(report.fatal === undefined ? {} : { reason: { kind: report.fatal.kind, message: shortReason(report.fatal.message) } })
  }
}

/** The alert of a run that could not start (no report), or undefined when the sync does not alert on failure. */
export const alertOfStartFailure = (
  input: { readonly sync: string; readonly exitCode: number; readonly message: string },
  settings: Pick<AlertSettings, "on">
): RunAlert | undefined =>
  settings.on.includes("failure")
    ? {
        trigger: "failure",
        sync: input.sync,
        outcome: "failed",
        exitCode: input.exitCode,
        dryRun: false,
        reason: { kind: "start", message: shortReason(input.message) }
      }
    : undefined

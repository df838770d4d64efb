import type { DeliveryReport } from "@tablecast/core"
import {
  type AlertSettings,
  type AlertTrigger,
  alertOfReport,
  alertOfStartFailure,
  fetchPoster,
  notifyWarning,
  type RunAlert,
  sendAlert,
  webhookOrigin
} from "@tablecast/core/notify"
import * as Effect from "effect/Effect"
import { exitCodeOfReport, TablecastError } from "./Errors.ts"

/** Option `notify` of {@link sync}: a webhook told of the run's end (docs/operations/alerts.md). */
export interface NotifyOptions {
  /** The webhook; it may hold a token: it is only ever shown as its host. */
  readonly url: string
  /** What to alert on (default `failure`, `incomplete`, `guard`; and `rejects` when `rejectsOver` is given). */
  readonly on?: ReadonlyArray<AlertTrigger>
  /** Alert (`rejects`) when more rows than this were rejected. */
  readonly rejectsOver?: number
  /** `slack` (default: text + blocks) or `json` (the alert as is). */
  readonly format?: "slack" | "json"
}

/**
 * Sends an alert within the notifier's bounded time; one that does not go through is a process
 * warning (`process.emitWarning`, the webhook's host only), never the run's failure.
 */
const deliver = async (settings: AlertSettings, alert: RunAlert | undefined): Promise<void> => {
  if (alert === undefined) return
  const result = await Effect.runPromise(sendAlert(alert, settings, fetchPoster)).catch(() => ({
    sent: false as const,
    attempts: 0,
    reason: "an unexpected error"
  }))
  if (!result.sent) process.emitWarning(notifyWarning(result, webhookOrigin(settings.url)), "TablecastNotifyWarning")
}

/** The alert of a run that ended with a report (completed, incomplete or stopped). */
export const alertReport = (settings: AlertSettings | undefined, report: DeliveryReport): Promise<void> =>
  settings === undefined ? Promise.resolve() : deliver(settings, alertOfReport(report, exitCodeOfReport(report), settings))

/** The alert of a run that failed without a report (its source could not be opened, ...); options errors alert not. */
export const alertFailure = (settings: AlertSettings | undefined, sync: string, error: unknown): Promise<void> => {
  if (settings === undefined || !(error instanceof TablecastError) || error.kind === "options" || error.report !== undefined)
    return Promise.resolve()
  return deliver(settings, alertOfStartFailure({ sync, exitCode: error.exitCode, message: error.message }, settings))
}

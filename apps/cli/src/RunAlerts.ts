import type { DeliveryReport } from "@tablecast/core"
import {
  type AlertSettings,
  alertOfReport,
  alertOfStartFailure,
  fetchPoster,
  notifyWarning,
  type RunAlert,
  sendAlert,
  webhookOrigin
} from "@tablecast/core/notify"
import * as Effect from "effect/Effect"

/**
 * Sends a run's alert, if its settings ask for one, within the notifier's bounded time. Resolves
 * to the warning line to print when it did not go through (the webhook's host only), else
 * undefined. Never rejects: an alert cannot fail a run.
 */
const deliver = async (settings: AlertSettings, alert: RunAlert | undefined): Promise<string | undefined> => {
  if (alert === undefined) return undefined
  try {
    const result = await Effect.runPromise(sendAlert(alert, settings, fetchPoster))
    return result.sent ? undefined : notifyWarning(result, webhookOrigin(settings.url))
  } catch {
    return `the alert to ${webhookOrigin(settings.url)} was not sent (an unexpected error); the run's result is unchanged`
  }
}

/** The alert of a finished run: its report and the exit code it ends with. */
export const alertRun = (settings: AlertSettings | undefined, report: DeliveryReport, exitCode: number): Promise<string | undefined> =>
  settings === undefined ? Promise.resolve(undefined) : deliver(settings, alertOfReport(report, exitCode, settings))

/** The alert of a run that could not start (its source, a driver, an output): a failure. */
export const alertStartFailure = (
  settings: AlertSettings | undefined,
  failure: { readonly sync: string; readonly exitCode: number; readonly message: string }
): Promise<string | undefined> => (settings === undefined ? Promise.resolve(undefined) : deliver(settings, alertOfStartFailure(failure, settings)))

import {
  type AlertSettings,
  fetchPoster,
  type NotifyResult,
  type RunAlert,
  sendAlert,
  webhookOrigin,
  type WebhookPoster
} from "@tablecast/core/notify"
import * as Effect from "effect/Effect"
import type { Logger } from "../Log.ts"

/** What became of a run's alert, as its status shows it: the trigger, and whether it went through (no URL). */
export type AlertOutcome =
  | { readonly trigger: RunAlert["trigger"]; readonly sent: true; readonly status: number; readonly attempts: number }
  | { readonly trigger: RunAlert["trigger"]; readonly sent: false; readonly attempts: number; readonly reason: string }

/**
 * Sends a run's alert with the CLI's notifier (retries within about 10 s) and logs what became of
 * it, naming the webhook by its origin only. Never rejects: an alert is not part of the run.
 */
export const deliverAlert = async (
  alert: RunAlert,
  settings: Pick<AlertSettings, "url" | "format">,
  log: Logger,
  fields: { readonly runId: string },
  poster: WebhookPoster = fetchPoster
): Promise<AlertOutcome> => {
  const result = await Effect.runPromise(sendAlert(alert, settings, poster)).catch(
    (error: unknown): NotifyResult => ({ sent: false, attempts: 0, reason: error instanceof Error ? error.name : "unknown" })
  )
  const origin = webhookOrigin(settings.url)
  if (result.sent) log.info("alert.sent", { ...fields, trigger: alert.trigger, webhook: origin, attempts: result.attempts })
  else log.warn("alert.failed", { ...fields, trigger: alert.trigger, webhook: origin, attempts: result.attempts, reason: result.reason })
  return { trigger: alert.trigger, ...result }
}

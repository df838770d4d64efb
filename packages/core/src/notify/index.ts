// Alerts of a run's end to a webhook (Slack-compatible or generic JSON). Edge-safe: no node: import.
export { alertBody, alertText, durationText, jsonPayload, slackPayload } from "./AlertPayload.ts"
export {
  ALERT_TRIGGERS,
  type AlertFormat,
  type AlertSettings,
  type AlertTrigger,
  DEFAULT_ALERT_TRIGGERS,
  triggersOf,
  webhookOrigin,
  webhookUrlProblem
} from "./AlertSettings.ts"
export {
  DEFAULT_NOTIFY_TIMING,
  fetchPoster,
  type NotifyResult,
  type NotifyTiming,
  notifyWarning,
  sendAlert,
  WebhookError,
  type WebhookPoster
} from "./Notifier.ts"
export { alertOfReport, alertOfStartFailure, type RunAlert, triggerOf } from "./RunAlert.ts"

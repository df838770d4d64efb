import type { AlertFormat, AlertTrigger } from "./AlertSettings.ts"
import type { RunAlert } from "./RunAlert.ts"

const headline: Readonly<Record<AlertTrigger, { readonly icon: string; readonly words: string }>> = {
  failure: { icon: ":red_circle:", words: "failed" },
  incomplete: { icon: ":large_orange_circle:", words: "did not deliver everything" },
  rejects: { icon: ":large_yellow_circle:", words: "rejected rows over the threshold" },
  guard: { icon: ":no_entry:", words: "stopped at the incremental guard (nothing sent)" },
  success: { icon: ":large_green_circle:", words: "delivered everything" }
}

/** Slack's mrkdwn gives `&`, `<` and `>` a meaning: names and reasons are escaped so they show as written. */
const escapeMrkdwn = (text: string): string => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")

/** A duration as people read it: 850 ms, 12.3 s, 4 min 05 s. */
export const durationText = (millis: number): string => {
  if (millis < 1_000) return `${Math.round(millis)} ms`
  if (millis < 60_000) return `${(millis / 1_000).toFixed(1)} s`
  const seconds = Math.round(millis / 1_000)
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`
}

const count = (value: number): string => value.toLocaleString("en-US")

/** The alert's one line, as Slack shows it in a notification. */
export const alertText = (alert: RunAlert): string => {
  const { icon, words } = headline[alert.trigger]
  const dryRun = alert.dryRun ? " (dry run)" : ""
  return `${icon} tablecast sync *${escapeMrkdwn(alert.sync)}*${dryRun} ${words} — exit ${alert.exitCode}`
}

/** Slack's incoming-webhook payload: `text` for notifications, `blocks` for the summary. */
export const slackPayload = (alert: RunAlert): Record<string, unknown> => {
  const fields = [
    `*Outcome*\n${alert.outcome}`,
    `*Exit code*\n${alert.exitCode}`,
    ...(alert.durationMillis === undefined ? [] : [`*Duration*\n${durationText(alert.durationMillis)}`]),
    ...(alert.counts === undefined
      ? []
      : [
          `*Rows read*\n${count(alert.counts.read)}`,
          `*Accepted*\n${count(alert.counts.accepted)}`,
          `*Rejected*\n${count(alert.counts.rejected)}`,
          `*Refused*\n${count(alert.counts.refused)}`,
          `*Undelivered*\n${count(alert.counts.undelivered)}`,
          ...(alert.counts.skipped > 0 ? [`*Skipped (resumed)*\n${count(alert.counts.skipped)}`] : [])
        ])
  ]
  const text = alertText(alert)
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      // Slack takes at most 10 fields in a section.
      { type: "section", fields: fields.slice(0, 10).map((field) => ({ type: "mrkdwn", text: field })) },
      ...(alert.reason === undefined
        ? []
        : [{ type: "context", elements: [{ type: "mrkdwn", text: `${alert.reason.kind}: ${escapeMrkdwn(alert.reason.message)}` }] }])
    ]
  }
}

/** The generic payload: the alert as is, typed so a receiver can route on `type` and `trigger`. */
export const jsonPayload = (alert: RunAlert): Record<string, unknown> => ({ type: "tablecast.run.alert", version: 1, ...alert })

/** The request body of an alert in a format. */
export const alertBody = (alert: RunAlert, format: AlertFormat): string =>
  JSON.stringify(format === "slack" ? slackPayload(alert) : jsonPayload(alert))

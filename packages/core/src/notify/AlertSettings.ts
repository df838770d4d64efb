/**
 * What a run alerts on:
 * - `failure`: the run stopped early (source, write key, state, output, signal, ...), or never started.
 * - `incomplete`: the run finished, but some batches were refused or not delivered.
 * - `rejects`: more rows were rejected than the threshold (`rejectsOver`).
 * - `guard`: an incremental run's changes were over the guard; nothing was sent.
 * - `success`: the run delivered everything (and no other trigger fired).
 */
export type AlertTrigger = "failure" | "incomplete" | "rejects" | "guard" | "success"

export const ALERT_TRIGGERS: ReadonlyArray<AlertTrigger> = ["failure", "incomplete", "rejects", "guard", "success"]

/** When none are named: every problem, no news on success (rejects only when a threshold is given). */
export const DEFAULT_ALERT_TRIGGERS: ReadonlyArray<AlertTrigger> = ["failure", "incomplete", "guard"]

/** `slack`: Slack's incoming-webhook shape (text + blocks), which Mattermost, Rocket.Chat and Discord's /slack take too; `json`: the alert as is. */
export type AlertFormat = "slack" | "json"

export interface AlertSettings {
  /** The webhook; it may hold a token, so it is only ever shown as its origin (`webhookOrigin`). */
  readonly url: string
  readonly on: ReadonlyArray<AlertTrigger>
  /** `rejects` fires when more rows than this were rejected. */
  readonly rejectsOver: number
  readonly format: AlertFormat
}

/** The triggers of a sync's alert settings: the ones named, else the defaults plus `rejects` when a threshold is given. */
export const triggersOf = (on: ReadonlyArray<AlertTrigger> | undefined, rejectsOver: number | undefined): ReadonlyArray<AlertTrigger> =>
  on ?? (rejectsOver === undefined ? DEFAULT_ALERT_TRIGGERS : [...DEFAULT_ALERT_TRIGGERS, "rejects"])

/**
 * A webhook URL as it may be shown: scheme and host only, since a path or query often carries the
 * token (Slack's `/services/T…/B…/secret`, `?token=`). Not a URL at all: a placeholder.
 */
export const webhookOrigin = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}`
  } catch {
    return "(not a URL)"
  }
}

/** Why a webhook URL is unusable, or undefined when it is fine (http or https, absolute). */
export const webhookUrlProblem = (url: string): string | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return "not an absolute URL (http:// or https://)"
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `${parsed.protocol} is not http: or https:`
  if (parsed.username !== "" || parsed.password !== "")
    return "a user name or password in the URL is not supported; put the token in the path or query"
  return undefined
}

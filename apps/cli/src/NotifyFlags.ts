import { Flags } from "@oclif/core"
import type { NotifyOverrides } from "@tablecast/config"

/** Flags of a run's alerts (sync): a webhook, what it is told of, and in which shape. */
export const notifyFlags = {
  notify: Flags.string({
    summary:
      "Webhook to alert when the run fails, is incomplete or stops at the guard (Slack-compatible by default). Tried for about 10 s at the end; never changes the exit code. Shown only as its host.",
    helpGroup: "ALERTS"
  }),
  "notify-on": Flags.string({
    summary:
      "What to alert on, a,b,c of: failure, incomplete, rejects, guard, success (default failure,incomplete,guard; rejects too with --notify-rejects-over).",
    helpGroup: "ALERTS"
  }),
  "notify-rejects-over": Flags.integer({
    summary: "Alert when more rows than this are rejected (turns the rejects alert on).",
    min: 0,
    helpGroup: "ALERTS"
  }),
  "notify-format": Flags.string({
    summary: "Alert body: slack (text + blocks, also taken by Mattermost, Rocket.Chat, Discord's /slack) or json (the alert as is).",
    options: ["slack", "json"],
    helpGroup: "ALERTS"
  })
}

/** What the alert flags say, for @tablecast/config (which merges them over the config entry's `notify`). */
export const notifyOverrides = (flags: {
  readonly notify?: string | undefined
  readonly "notify-on"?: string | undefined
  readonly "notify-rejects-over"?: number | undefined
  readonly "notify-format"?: string | undefined
}): NotifyOverrides => ({
  ...(flags.notify === undefined ? {} : { url: flags.notify }),
  ...(flags["notify-on"] === undefined ? {} : { on: flags["notify-on"].split(",").filter((name) => name.trim() !== "") }),
  ...(flags["notify-rejects-over"] === undefined ? {} : { rejectsOver: flags["notify-rejects-over"] }),
  ...(flags["notify-format"] === undefined ? {} : { format: flags["notify-format"] })
})

import { EnvName } from "@tablecast/core"
import { ALERT_TRIGGERS, type AlertSettings, type AlertTrigger, triggersOf, webhookUrlProblem } from "@tablecast/core/notify"
import * as z from "zod"
import { ConfigError, fieldError } from "./ConfigError.ts"

/**
 * A sync's alerts (`notify` in a config entry). The webhook may hold a token: `urlEnv` names the
 * variable holding it, so the file need not; `url` is taken too, for webhooks that hold none.
 */
export const NotifyConfig = z
  .object({
    url: z.string().min(1).optional(),
    urlEnv: EnvName.optional(),
    on: z.array(z.enum(ALERT_TRIGGERS as [AlertTrigger, ...Array<AlertTrigger>])).optional(),
    rejectsOver: z.number().int().min(0).optional(),
    format: z.enum(["slack", "json"]).optional()
  })
  .strict()
export type NotifyConfig = z.output<typeof NotifyConfig>

/** What the command line says about alerts (`--notify`, `--notify-on`, `--notify-rejects-over`, `--notify-format`). */
export interface NotifyOverrides {
  readonly url?: string
  readonly on?: ReadonlyArray<string>
  readonly rejectsOver?: number
  readonly format?: string
}

/** `--notify-on`'s list: known triggers, or an error naming the unknown one and the flag. */
export const triggerList = (names: ReadonlyArray<string>): ReadonlyArray<AlertTrigger> =>
  names.map((name) => {
    const trigger = ALERT_TRIGGERS.find((known) => known === name.trim())
    if (trigger === undefined) {
      throw new ConfigError({
        message: `--notify-on: unknown trigger "${name.trim()}" (triggers: ${ALERT_TRIGGERS.join(", ")})`,
        flag: "notify-on"
      })
    }
    return trigger
  })

/**
 * A sync's alert settings: the config entry's `notify`, the command line's over it. Undefined when
 * no webhook is given. Fails with a ConfigError naming the field or flag at fault; the URL itself
 * is never in a message.
 */
export const resolveNotify = (
  raw: unknown,
  overrides: NotifyOverrides | undefined,
  env: Readonly<Record<string, string | undefined>>,
  where: string
): AlertSettings | undefined => {
  const field = where === "" ? "notify" : `${where}.notify`
  const parsed = NotifyConfig.optional().safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw fieldError([field, ...issue.path.map(String)].join("."), issue.code === "unrecognized_keys" ? "unknown field" : issue.message)
  }
  const fromFile = parsed.data ?? {}
  const fromEnv = fromFile.urlEnv === undefined ? undefined : env[fromFile.urlEnv]?.trim()
  if (fromFile.urlEnv !== undefined && overrides?.url === undefined && (fromEnv === undefined || fromEnv === "")) {
    throw fieldError(`${field}.urlEnv`, `${fromFile.urlEnv} is not set (it should hold the webhook URL)`)
  }
  const url = overrides?.url ?? fromEnv ?? fromFile.url
  const flagsWithoutUrl =
    overrides !== undefined && (overrides.on !== undefined || overrides.rejectsOver !== undefined || overrides.format !== undefined)
  if (url === undefined) {
    if (flagsWithoutUrl)
      throw new ConfigError({
        message: "--notify-on, --notify-rejects-over and --notify-format need a webhook: give --notify <url>",
        flag: "notify"
      })
    return undefined
  }
  const problem = webhookUrlProblem(url)
  if (problem !== undefined) {
    throw overrides?.url === undefined
      ? fieldError(fromEnv === undefined ? `${field}.url` : `${field}.urlEnv`, `the webhook URL is ${problem}`)
      : new ConfigError({ message: `--notify: the webhook URL is ${problem}`, flag: "notify" })
  }
  const format = overrides?.format ?? fromFile.format ?? "slack"
  if (format !== "slack" && format !== "json")
    throw new ConfigError({ message: `--notify-format: "${format}" is not slack or json`, flag: "notify-format" })
  const rejectsOver = overrides?.rejectsOver ?? fromFile.rejectsOver
  const on = overrides?.on === undefined ? fromFile.on : triggerList(overrides.on)
  return { url, on: triggersOf(on, rejectsOver), rejectsOver: rejectsOver ?? 0, format }
}

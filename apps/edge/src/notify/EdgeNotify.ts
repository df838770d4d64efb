import { ALERT_TRIGGERS, type AlertFormat, type AlertSettings, type AlertTrigger, triggersOf, webhookUrlProblem } from "@tablecast/core/notify"
import * as Redacted from "effect/Redacted"
import * as z from "zod"
import { RequestError } from "../RequestError.ts"

/** Header of a run request's own alert settings (JSON), for JSON and CSV requests alike. */
export const NotifyHeader = "x-tablecast-notify"

/**
 * A deployment's alert settings, from `NOTIFY_URL` (a secret), `NOTIFY_ON`, `NOTIFY_REJECTS_OVER`
 * and `NOTIFY_FORMAT`; each may be left out, and a request's `X-Tablecast-Notify` fills in or
 * overrides them field by field.
 */
export interface DeploymentNotify {
  readonly url?: Redacted.Redacted<string>
  readonly on?: ReadonlyArray<AlertTrigger>
  readonly rejectsOver?: number
  readonly format?: AlertFormat
  /** Whether a request may name its own webhook (`ALLOW_NOTIFY_URL_HEADER`, default true): the worker posts only where it is told. */
  readonly allowRequestUrl?: boolean
}

const Trigger = z.enum(ALERT_TRIGGERS as [AlertTrigger, ...Array<AlertTrigger>])

const RequestNotify = z
  .object({
    url: z
      .string()
      .superRefine((url, ctx) => {
        const problem = webhookUrlProblem(url)
        // Never the URL itself in the message: it may hold the webhook's token.
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem })
      })
      .optional(),
    on: z.array(Trigger).max(ALERT_TRIGGERS.length).optional(),
    rejectsOver: z.number().int().min(0).optional(),
    format: z.enum(["slack", "json"]).optional()
  })
  .strict()

/** `NOTIFY_ON`: triggers separated by commas, e.g. `failure,incomplete,rejects`. */
export const NotifyOnVar = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
  )
  .pipe(z.array(Trigger).min(1, `name at least one of ${ALERT_TRIGGERS.join(", ")}`))

/** `NOTIFY_URL`: checked like `--notify`, never echoed. */
export const NotifyUrlVar = z.string().superRefine((url, ctx) => {
  const problem = webhookUrlProblem(url)
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem })
})

const headerError = (message: string, field = `header ${NotifyHeader}`) => new RequestError({ status: 400, field, message })

/** The request's `X-Tablecast-Notify`: `off` (no alert for this run), or JSON; undefined when absent. */
const parseHeader = (text: string | undefined): z.output<typeof RequestNotify> | "off" | undefined => {
  if (text === undefined || text.trim() === "") return undefined
  if (text.trim() === "off") return "off"
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw headerError(`header ${NotifyHeader}: not valid JSON (or "off")`)
  }
  const parsed = RequestNotify.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const field = ["notify", ...issue.path.map(String)].join(".")
    throw headerError(`header ${NotifyHeader}: ${field}: ${issue.message}`, field)
  }
  return parsed.data
}

/**
 * A run's alert settings: the request's header over the deployment's, field by field; none when
 * neither names a webhook, or the request says `off`. 400 naming the field at fault.
 */
export const alertSettingsOf = (deployment: DeploymentNotify | undefined, header: string | undefined): AlertSettings | undefined => {
  const request = parseHeader(header)
  if (request === "off") return undefined
  if (request?.url !== undefined && deployment?.allowRequestUrl === false) {
    throw headerError(`header ${NotifyHeader}: notify.url: this deployment sends alerts only to its NOTIFY_URL`, "notify.url")
  }
  const url = request?.url ?? (deployment?.url === undefined ? undefined : Redacted.value(deployment.url))
  if (url === undefined) {
    if (request !== undefined)
      throw headerError(`header ${NotifyHeader}: notify.url: required, as this deployment has no NOTIFY_URL`, "notify.url")
    return undefined
  }
  const rejectsOver = request?.rejectsOver ?? deployment?.rejectsOver
  return {
    url,
    on: triggersOf(request?.on ?? deployment?.on, rejectsOver),
    rejectsOver: rejectsOver ?? 0,
    format: request?.format ?? deployment?.format ?? "slack"
  }
}

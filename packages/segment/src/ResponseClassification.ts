import { Defaults, TransportError, type TransportErrorKind } from "@tablecast/core"

/** What a status means for the batch that drew it. */
export type StatusClass = { readonly kind: "accepted" } | { readonly kind: TransportErrorKind; readonly retryable: boolean }

/**
 * Classifies an HTTP status the way Segment's own libraries retry:
 * 2xx accepted; 401/403 `auth`; 408 and 5xx but 501/505 `server` and 429 `throttled`, retried;
 * every other status (400, 404, 413, 422, 501, 505, other 4xx, and redirects, which a POST must
 * not follow) `rejected`, not retried.
 */
export const classifyStatus = (status: number): StatusClass => {
  if (status >= 200 && status < 300) return { kind: "accepted" }
  if (status === 401 || status === 403) return { kind: "auth", retryable: false }
  if (status === 429) return { kind: "throttled", retryable: true }
  if (status === 408) return { kind: "server", retryable: true }
  if (status >= 500 && status < 600 && status !== 501 && status !== 505) return { kind: "server", retryable: true }
  return { kind: "rejected", retryable: false }
}

/**
 * `Retry-After` in milliseconds, from delta-seconds ("120") or an HTTP date, capped at 300 s.
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export const parseRetryAfter = (
  value: string | null | undefined,
  nowMillis: number,
  capMillis: number = Defaults.maxRetryAfterMillis
): number | undefined => {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (text === "") return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Math.round(Number(text) * 1000), capMillis)
  // Delta-seconds failed; an HTTP date must at least name a weekday or month, not be a bare number.
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.min(Math.max(at - nowMillis, 0), capMillis)
}

const maxMessageLength = 200

/**
 * A short, one-line explanation from an endpoint's error body: the `message` or `error` of a JSON
 * body (Segment answers `{"success":false,"message":"..."}`), else the text itself, with runs of
 * whitespace collapsed and cut to 200 characters.
 */
export const trimErrorBody = (body: string): string => {
  let text = body
  try {
    const parsed: unknown = JSON.parse(body)
    if (typeof parsed === "object" && parsed !== null) {
      const record = parsed as Record<string, unknown>
      const found = [record["message"], record["error"], record["msg"]].find((v) => typeof v === "string" && v !== "")
      if (typeof found === "string") text = found
    }
  } catch {
    // Not JSON: keep the text (an HTML error page, a plain message).
  }
  text = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
  return text.length > maxMessageLength ? `${text.slice(0, maxMessageLength - 1)}…` : text
}

/** An endpoint's answer, as much as classification needs. */
export interface EndpointAnswer {
  readonly status: number
  readonly retryAfter?: string | null | undefined
  readonly body: string
}

/**
 * What an answer without a message of its own means, in words that do not repeat the status (the
 * pipeline names it): empty for most, a hint where the status alone would mislead.
 */
const hintFor = (kind: TransportErrorKind, status: number): string => {
  if (kind === "auth") return "the write key was refused"
  if (status >= 300 && status < 400) return "the endpoint redirected; give its final URL as the endpoint"
  return ""
}

/**
 * The TransportError for a non-2xx answer, or undefined for a 2xx. Pure: the caller passes the
 * clock's time for an HTTP-date Retry-After, and scrubs secrets from the body first.
 */
export const errorForAnswer = (answer: EndpointAnswer, nowMillis: number): TransportError | undefined => {
  const statusClass = classifyStatus(answer.status)
  if (statusClass.kind === "accepted") return undefined
  const detail = trimErrorBody(answer.body)
  const retryAfterMillis = statusClass.retryable ? parseRetryAfter(answer.retryAfter, nowMillis) : undefined
  return new TransportError({
    kind: statusClass.kind,
    retryable: statusClass.retryable,
    status: answer.status,
    ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }),
    // The endpoint's own words; the pipeline names the status once when it reports the error.
    message: detail === "" ? hintFor(statusClass.kind, answer.status) : detail
  })
}

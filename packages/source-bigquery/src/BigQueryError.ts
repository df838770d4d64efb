import { SourceError } from "@tablecast/core"
import { scrubSecrets } from "@tablecast/source-sql"

/**
 * Client errors as `SourceError`s: BigQuery's message, its `reason` (notFound, accessDenied,
 * quotaExceeded, bytesBilledLimitExceeded, ...) as `driverCode`, and a `code` saying what kind of
 * failure it was. Messages pass through `scrubSecrets` (the private key), and any bearer token or
 * signed assertion is cut out.
 */
export const classifyReason = (reason: string | undefined, status: number | undefined): string => {
  switch (reason) {
    case "notFound":
      return "not-found"
    case "accessDenied":
    case "authError":
    case "invalid_grant":
    case "unauthorized_client":
      return "auth"
    case "quotaExceeded":
    case "rateLimitExceeded":
    case "userRateLimitExceeded":
    case "bytesBilledLimitExceeded":
    case "billingTierLimitExceeded":
      return "quota"
    case "timeout":
    case "jobBackendError":
      return "timeout"
    case "invalid":
    case "invalidQuery":
      return "query"
  }
  if (status === 401 || status === 403) return "auth"
  if (status === 404) return "not-found"
  if (status === 429) return "quota"
  return "query"
}

interface ClientErrorFields {
  readonly message?: unknown
  readonly code?: unknown
  readonly status?: unknown
  readonly errors?: ReadonlyArray<{ readonly reason?: unknown; readonly message?: unknown }>
  readonly response?: { readonly status?: unknown; readonly data?: { readonly error?: unknown; readonly error_description?: unknown } }
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE"])

/** A token, a JWT or an assertion in a message: cut out. */
const scrubTokens = (text: string) =>
  text
    .replace(/Bearer\s+[\w.~+/-]+=*/g, "Bearer <redacted>")
    .replace(/ey[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/g, "<redacted JWT>")
    .replace(/ya29\.[\w.-]+/g, "<redacted token>")

/** A `SourceError` for what the client threw while doing `doing`. */
export const toSourceError = (error: unknown, doing: string, secrets: ReadonlyArray<string>, extra?: { readonly row?: number }): SourceError => {
  if (error instanceof SourceError) return error
  const fields: ClientErrorFields = typeof error === "object" && error !== null ? (error as ClientErrorFields) : {}
  const first = fields.errors?.[0]
  const oauth = fields.response?.data
  const reason = typeof first?.reason === "string" ? first.reason : typeof oauth?.error === "string" ? oauth.error : undefined
  const status = typeof fields.code === "number" ? fields.code : typeof fields.response?.status === "number" ? fields.response.status : undefined
  const networkCode = typeof fields.code === "string" && CONNECTION_CODES.has(fields.code) ? fields.code : undefined
  const base =
    typeof first?.message === "string"
      ? first.message
      : typeof oauth?.error_description === "string"
        ? `${String(oauth.error)}: ${oauth.error_description}`
        : typeof fields.message === "string" && fields.message !== ""
          ? fields.message
          : String(error)
  const tail = [reason === undefined ? undefined : `reason ${reason}`, status === undefined ? undefined : `HTTP ${status}`].filter(
    (part) => part !== undefined
  )
  const message = scrubTokens(
    scrubSecrets(`BigQuery: ${doing}: ${base.replaceAll("\n", " ")}${tail.length === 0 ? "" : ` (${tail.join(", ")})`}`, secrets)
  )
  return new SourceError({
    message,
    code: networkCode !== undefined ? "connection" : classifyReason(reason, status),
    ...(reason === undefined ? {} : { driverCode: reason }),
    ...(extra?.row === undefined ? {} : { row: extra.row })
  })
}

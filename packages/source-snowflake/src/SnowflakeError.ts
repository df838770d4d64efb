import { SourceError } from "@tablecast/core"
import { scrubSecrets } from "@tablecast/source-sql"

/**
 * Driver errors as `SourceError`s: the cause in words, Snowflake's error code (e.g. 002003 for
 * a missing object, 390100 for a wrong password) as `driverCode`, and a `code` that says what kind
 * of failure it was. Every message passes through `scrubSecrets` first.
 */

/** The kind of failure a Snowflake (or driver) error code means. */
export const classifySnowflakeCode = (code: string | undefined): string => {
  if (code === undefined) return "query"
  // 390xxx: authentication and session (390100 wrong password, 390144 bad JWT, 390201 no account).
  if (code === "390201") return "not-found"
  if (code.startsWith("390")) return "auth"
  // 002003: object does not exist or not authorized; 002043: ditto for a schema/database.
  if (code === "002003" || code === "002043") return "not-found"
  if (code === "000630" || code === "000604") return "timeout"
  // The driver's own codes: 401xxx network, 402xxx/403xxx large results, 4040xx bad options.
  if (/^40[1-3]\d{3}$/.test(code)) return "connection"
  if (/^404\d{3}$/.test(code)) return "config"
  return "query"
}

interface DriverErrorFields {
  readonly message?: unknown
  readonly code?: unknown
  readonly sqlState?: unknown
  readonly cause?: { readonly code?: unknown; readonly message?: unknown }
}

/** A `SourceError` for what the driver threw while doing `doing`. */
export const toSourceError = (error: unknown, doing: string, secrets: ReadonlyArray<string>, extra?: { readonly row?: number }): SourceError => {
  if (error instanceof SourceError) return error
  const fields: DriverErrorFields = typeof error === "object" && error !== null ? (error as DriverErrorFields) : {}
  const driverCode = fields.code === undefined || fields.code === null ? undefined : String(fields.code)
  const base = typeof fields.message === "string" && fields.message !== "" ? fields.message : String(error)
  const parts = [base.replaceAll("\n", " ")]
  const causeCode = fields.cause?.code
  if (typeof causeCode === "string") parts.push(`cause: ${causeCode}`)
  const codeText = [
    driverCode === undefined ? undefined : `Snowflake code ${driverCode}`,
    typeof fields.sqlState === "string" ? `SQLSTATE ${fields.sqlState}` : undefined
  ].filter((part) => part !== undefined)
  const message = scrubSecrets(`Snowflake: ${doing}: ${parts.join("; ")}${codeText.length === 0 ? "" : ` (${codeText.join(", ")})`}`, secrets)
  return new SourceError({
    message,
    code: classifySnowflakeCode(driverCode),
    ...(driverCode === undefined ? {} : { driverCode }),
    ...(extra?.row === undefined ? {} : { row: extra.row })
  })
}

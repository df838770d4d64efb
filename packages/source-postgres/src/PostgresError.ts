import { SourceError } from "@tablecast/core"
import { scrubSecrets } from "@tablecast/source-sql"

/**
 * Driver errors as `SourceError`s: the cause in words, the SQLSTATE (or Node's network error code)
 * as `driverCode`, and a `code` that says what kind of failure it was. Every message passes
 * through `scrubSecrets` first, so a password never leaves in an error.
 */

/** The kind of failure a server's SQLSTATE means. */
export const classifySqlState = (sqlState: string): string => {
  if (sqlState === "42P01" || sqlState === "3F000" || sqlState === "3D000" || sqlState === "42883") return "not-found"
  if (sqlState.startsWith("28")) return "auth"
  if (sqlState.startsWith("08") || sqlState.startsWith("57P")) return "connection"
  if (sqlState === "57014") return "timeout"
  if (sqlState === "42501") return "permission"
  return "query"
}

interface DriverErrorFields {
  readonly message?: unknown
  readonly code?: unknown
  readonly detail?: unknown
  readonly hint?: unknown
  /** Only the server's errors (pg's DatabaseError) have a severity; their code is a SQLSTATE. */
  readonly severity?: unknown
}

/**
 * A `SourceError` for what the driver threw while doing `doing` (e.g. "connecting to
 * postgres://app@db:5432/shop", "reading table \"public\".\"orders\"").
 */
export const toSourceError = (error: unknown, doing: string, secrets: ReadonlyArray<string>, extra?: { readonly row?: number }): SourceError => {
  if (error instanceof SourceError) return error
  const fields: DriverErrorFields = typeof error === "object" && error !== null ? (error as DriverErrorFields) : {}
  const driverCode = typeof fields.code === "string" ? fields.code : undefined
  const base = typeof fields.message === "string" && fields.message !== "" ? fields.message : String(error)
  const parts = [base]
  if (typeof fields.detail === "string") parts.push(`detail: ${fields.detail}`)
  if (typeof fields.hint === "string") parts.push(`hint: ${fields.hint}`)
  const fromServer = typeof fields.severity === "string" && driverCode !== undefined
  const codeText = driverCode === undefined ? "" : fromServer ? ` (SQLSTATE ${driverCode})` : ` (${driverCode})`
  const message = scrubSecrets(`Postgres: ${doing}: ${parts.join("; ")}${codeText}`, secrets)
  return new SourceError({
    message,
    // Anything not from the server (refused, reset, TLS, timeout while connecting) is the connection.
    code: fromServer ? classifySqlState(driverCode) : "connection",
    ...(driverCode === undefined ? {} : { driverCode }),
    ...(extra?.row === undefined ? {} : { row: extra.row })
  })
}

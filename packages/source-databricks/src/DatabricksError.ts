import { SourceError } from "@tablecast/core"
import { scrubSecrets } from "@tablecast/source-sql"

interface DriverErrorFields {
  readonly message?: unknown
  readonly statusCode?: unknown
  readonly response?: { readonly sqlState?: unknown; readonly errorMessage?: unknown; readonly displayMessage?: unknown }
  readonly code?: unknown
}

/** The kind of failure: Databricks' error class (`[TABLE_OR_VIEW_NOT_FOUND] …`), HTTP status, or network code. */
const classify = (text: string, status: number | undefined, code: string | undefined): string => {
  if (status === 401 || status === 403 || /\b(PERMISSION_DENIED|UNAUTHENTICATED|invalid_client)\b/.test(text)) return "auth"
  if (/\[(TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND|CATALOG_NOT_FOUND)\]/.test(text) || status === 404) return "not-found"
  if (/\[PARSE_SYNTAX_ERROR\]|\[UNRESOLVED_COLUMN/.test(text)) return "query"
  if (code !== undefined && /^(ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/.test(code))
    return "connection"
  if (/timed? ?out|TIMEDOUT/i.test(text)) return "timeout"
  return "query"
}

/**
 * A `SourceError` for what the driver threw while doing `doing`: the warehouse's message (with its
 * error class and SQLSTATE), the HTTP status when the request itself was refused. Every message
 * passes through `scrubSecrets` first.
 */
export const toSourceError = (error: unknown, doing: string, secrets: ReadonlyArray<string>, extra?: { readonly row?: number }): SourceError => {
  if (error instanceof SourceError) return error
  const fields: DriverErrorFields = typeof error === "object" && error !== null ? (error as DriverErrorFields) : {}
  const response = fields.response
  const warehouseText = typeof response?.errorMessage === "string" ? response.errorMessage : undefined
  const base = warehouseText ?? (typeof fields.message === "string" && fields.message !== "" ? fields.message : String(error))
  const status = typeof fields.statusCode === "number" ? fields.statusCode : undefined
  const code = typeof fields.code === "string" ? fields.code : undefined
  const sqlState = typeof response?.sqlState === "string" ? response.sqlState : undefined
  const notes = [status === undefined ? undefined : `HTTP ${status}`, sqlState === undefined ? undefined : `SQLSTATE ${sqlState}`, code].filter(
    (note) => note !== undefined
  )
  const message = scrubSecrets(`Databricks: ${doing}: ${base.replaceAll("\n", " ")}${notes.length === 0 ? "" : ` (${notes.join(", ")})`}`, secrets)
  return new SourceError({
    message,
    code: classify(base, status, code),
    ...(sqlState === undefined ? {} : { driverCode: sqlState }),
    ...(extra?.row === undefined ? {} : { row: extra.row })
  })
}

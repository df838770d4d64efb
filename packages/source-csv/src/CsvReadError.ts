/** What a `SourceError` says: the reader's failures carry these fields. */
export interface CsvReadErrorFields {
  readonly message: string
  readonly code: string
  readonly row?: number
  readonly column?: string
}

/**
 * A failure of the CSV reader (a header it cannot use, a field that never ends, a parse error).
 * A plain `Error`, free of Effect, so that the reader runs in a light worker thread; `fileError`
 * turns it into the pipeline's `SourceError` with the same fields.
 */
export class CsvReadError extends Error {
  readonly fields: CsvReadErrorFields

  constructor(fields: CsvReadErrorFields) {
    super(fields.message)
    this.name = "CsvReadError"
    this.fields = fields
  }
}

/** The `code` of a Node error (`ENOENT`, `EACCES`, ...), if it has one. */
export const errorCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined

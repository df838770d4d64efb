/**
 * A failure of the CSV reader (a header it cannot use, a field that never ends, a parse error), as
 * tagged plain data rather than an `Error` class. The reader runs in a light worker thread that
 * loads nothing of Effect (Effect's `Schema` would add about 0.3 s and 8 MB to each worker's
 * start), and the value crosses between the threads as it is: a structured clone keeps plain data,
 * not an error's class or own fields. `fileError` turns it into the pipeline's `SourceError` with
 * the same fields.
 */
export interface CsvReadError {
  readonly _tag: "CsvReadError"
  readonly message: string
  readonly code: string
  readonly row?: number
  readonly column?: string
}

/** What a `SourceError` says: the reader's failures carry these fields. */
export type CsvReadErrorFields = Omit<CsvReadError, "_tag">

export const csvReadError = (fields: CsvReadErrorFields): CsvReadError => ({ _tag: "CsvReadError", ...fields })

export const isCsvReadError = (value: unknown): value is CsvReadError =>
  typeof value === "object" && value !== null && "_tag" in value && value._tag === "CsvReadError"

/** The `code` of a Node error (`ENOENT`, `EACCES`, ...), if it has one. */
export const errorCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined

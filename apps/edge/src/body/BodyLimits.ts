import type { EdgeLimits } from "../EdgeConfig.ts"
import { RequestError } from "../RequestError.ts"

/** The limits a body is read under; each is checked while reading, never after. */
export type BodyLimits = Pick<EdgeLimits, "MAX_BODY_BYTES" | "MAX_ROWS" | "MAX_CELLS">

/**
 * How deep JSON may nest, counted from the document's root (`{` of a JSON body is level 1, its
 * `rows` array 2, a row 3): the same bound for a body, `?spec=`/`X-Tablecast-Spec` and options.
 */
export const MaxJsonDepth = 64

export const tooManyRows = (rows: number, max: number): void => {
  if (rows > max) {
    throw new RequestError(413, "rows", `over this deployment's limit of ${max} rows per request; split the rows`)
  }
}

export const tooManyCells = (cells: number, max: number): void => {
  if (cells > max) {
    throw new RequestError(
      413,
      "rows",
      `over this deployment's limit of ${max} cells (values, nested ones included) per request; split the rows`
    )
  }
}

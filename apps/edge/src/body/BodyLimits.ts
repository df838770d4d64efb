import type { EdgeLimits } from "../EdgeConfig.ts"
import { RequestError } from "../RequestError.ts"

/** The limits a body is read under; each is checked while reading, never after. */
export type BodyLimits = Pick<EdgeLimits, "MAX_BODY_BYTES" | "MAX_ROWS" | "MAX_CELLS"> & {
  /**
   * Set when the run cannot be queued (`mode=sync`, or a platform without a queue such as Node):
   * rows past SYNC_MAX_ROWS would be refused after reading, so reading stops there.
   */
  readonly SYNC_ONLY_MAX_ROWS?: number
}

/**
 * How deep JSON may nest, counted from the document's root (`{` of a JSON body is level 1, its
 * `rows` array 2, a row 3): the same bound for a body, `?spec=`/`X-Tablecast-Spec` and options.
 */
export const MaxJsonDepth = 64

export const tooManyRows = (rows: number, limits: BodyLimits): void => {
  const syncOnly = limits.SYNC_ONLY_MAX_ROWS
  if (syncOnly !== undefined && syncOnly < limits.MAX_ROWS && rows > syncOnly) {
    throw new RequestError({
      status: 413,
      field: "rows",
      message: `over the synchronous limit of ${syncOnly} rows, and this run cannot be queued (mode=sync, or this deployment has no queue); split the rows`
    })
  }
  const max = limits.MAX_ROWS
  if (rows > max) {
    throw new RequestError({ status: 413, field: "rows", message: `over this deployment's limit of ${max} rows per request; split the rows` })
  }
}

export const tooManyCells = (cells: number, max: number): void => {
  if (cells > max) {
    throw new RequestError({
      status: 413,
      field: "rows",
      message: `over this deployment's limit of ${max} cells (values, nested ones included) per request; split the rows`
    })
  }
}

import type { FatalError } from "../DeliveryReport.ts"
import { namedColumns } from "../MessageMapper.ts"
import type { SyncSpec } from "../SyncSpec.ts"

/**
 * The columns a sync names that the source does not have, as the `spec` failure that stops a run
 * before anything is sent; undefined when every named column is there.
 */
export const missingColumns = (spec: SyncSpec, columns: ReadonlyArray<string>): FatalError | undefined => {
  const present = new Set(columns)
  const missing = namedColumns(spec).filter((column) => !present.has(column))
  if (missing.length === 0) return undefined
  const list = missing.map((column) => `"${column}"`).join(", ")
  return {
    kind: "spec",
    message: `the sync names ${missing.length === 1 ? "a column" : "columns"} the source does not have: ${list} (the source's columns: ${columns.join(", ")})`
  }
}

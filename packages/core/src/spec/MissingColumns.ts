import type { FatalError } from "../report/DeliveryReport.ts"
import { namedColumns } from "../map/MessageMapper.ts"
import type { SyncSpec } from "./SyncSpec.ts"

/** The columns the sync names that the source does not have, as the run's fatal error; undefined when none. */
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

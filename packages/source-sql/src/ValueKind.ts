import type { BigNumbers } from "./ExactNumber.ts"
import type { BinaryMapping } from "./SourceOptions.ts"

export type { ValueKind } from "@tablecast/core"

/** What decides how a column's values become JSON. */
export interface ConversionOptions {
  readonly bigNumbers: BigNumbers
  /** `inspect` shows binary values as `<binary N bytes>` rather than refusing them. */
  readonly binary: BinaryMapping | "inspect"
}

import type { BigNumbers } from "./ExactNumber.ts"
import type { BinaryMapping } from "./SourceOptions.ts"

/** What a column's values become in JSON, for the inspection and for mapping decisions. */
export type ValueKind =
  | "string"
  | "number"
  /** NUMERIC/DECIMAL/BIGINT (Snowflake NUMBER): a number where exact, otherwise a string (or always a string). */
  | "decimal"
  | "boolean"
  | "timestamp"
  | "date"
  | "json"
  | "array"
  | "binary"

/** What decides how a column's values become JSON. */
export interface ConversionOptions {
  readonly bigNumbers: BigNumbers
  /** `inspect` shows binary values as `<binary N bytes>` rather than refusing them. */
  readonly binary: BinaryMapping | "inspect"
}

import type { ColumnTypes, DecidedColumn, DecidedType } from "@tablecast/core"
import type { BigNumbers } from "./ExactNumber.ts"
import type { ValueKind } from "./ValueKind.ts"

/** Significant digits every double carries exactly: a NUMERIC declared this narrow never loses one. */
export const EXACT_DIGITS = 15

/** The precision of a declared type: `numeric(12,2)` 12, `NUMBER(38,0)` 38, `bigint` 19; undefined when unconstrained. */
export const declaredPrecision = (sourceType: string): number | undefined => {
  const type = sourceType.trim().toLowerCase()
  if (type === "bigint" || type === "int8") return 19
  const match = /\(\s*(\d+)\s*(?:,\s*-?\d+\s*)?\)/.exec(type)
  return match === null ? undefined : Number(match[1])
}

const KIND_TYPES: Record<Exclude<ValueKind, "decimal">, DecidedType> = {
  string: "string",
  number: "number",
  boolean: "boolean",
  timestamp: "timestamp",
  date: "date",
  json: "json",
  array: "array",
  // Refused, or mapped to text (hex, base64).
  binary: "string"
}

/**
 * What `auto` sends a warehouse column as, from its declared type alone — one rule per type, the
 * same for every value:
 *
 * - NUMERIC/DECIMAL/NUMBER and BIGINT: numbers (`bigNumbers: "string"`: their text, always). A
 *   declared precision of at most 15 digits always fits a JSON number exactly; a wider or
 *   unconstrained type does as long as its values do, and a value that does not (over 15
 *   significant digits, beyond ±2^53 for an integer) rejects its row rather than be rounded or
 *   sent as a string in a column of numbers.
 * - floats and smaller integers: numbers (NaN and infinities, which JSON cannot carry, reject their row);
 * - booleans, JSON, arrays, dates and timestamps: as such; everything else (text, uuid, enums,
 *   intervals, binary mapped to text): strings.
 */
export const decidedColumn = (column: { readonly kind: ValueKind; readonly sourceType: string }, bigNumbers: BigNumbers): DecidedColumn => {
  const basis = `declared ${column.sourceType}`
  if (column.kind !== "decimal") return { type: KIND_TYPES[column.kind], basis }
  if (bigNumbers === "string") return { type: "string", basis, note: "big numbers sent as text (bigNumbers: string)" }
  const precision = declaredPrecision(column.sourceType)
  if (precision !== undefined && precision <= EXACT_DIGITS) return { type: "number", basis }
  return {
    type: "number",
    basis,
    note: `a value of over ${EXACT_DIGITS} significant digits, which a JSON number cannot carry exactly, rejects its row`
  }
}

/** The decided types of a result's columns (`RowSourceShape.columnTypes`). */
export const decidedColumns = (
  columns: ReadonlyArray<{ readonly name: string; readonly kind: ValueKind; readonly sourceType: string }>,
  bigNumbers: BigNumbers
): ColumnTypes => {
  const types: Record<string, DecidedColumn> = {}
  for (const column of columns) {
    Object.defineProperty(types, column.name, { value: decidedColumn(column, bigNumbers), enumerable: true, writable: true, configurable: true })
  }
  return types
}

import {
  type ConversionOptions,
  decimalValue,
  duplicateColumnError,
  isoFromMicros,
  refusedBinaryError,
  type ValueKind
} from "@tablecast/source-sql"
import { DecimalText, MicrosecondTimestamp } from "./ExactDriverValues.ts"

/** TTypeId of TCLIService.thrift: the column types a Databricks result declares. */
export const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "BOOLEAN",
  1: "TINYINT",
  2: "SMALLINT",
  3: "INT",
  4: "BIGINT",
  5: "FLOAT",
  6: "DOUBLE",
  7: "STRING",
  8: "TIMESTAMP",
  9: "BINARY",
  10: "ARRAY",
  11: "MAP",
  12: "STRUCT",
  13: "UNION",
  14: "USER_DEFINED",
  15: "DECIMAL",
  16: "VOID",
  17: "DATE",
  18: "VARCHAR",
  19: "CHAR",
  20: "INTERVAL YEAR TO MONTH",
  21: "INTERVAL DAY TO SECOND"
}

/** A column of `TGetResultSetMetadataResp.schema`, as the driver hands it over. */
export interface ThriftColumn {
  readonly columnName: string
  readonly position: number
  readonly typeDesc: {
    readonly types: ReadonlyArray<{
      readonly primitiveEntry?: {
        readonly type: number
        readonly typeQualifiers?: { readonly qualifiers?: Record<string, { readonly i32Value?: number | null } | undefined> | null } | null
      } | null
    }>
  }
}

/** One column of a result: its name, its Databricks type, and how the driver's value becomes JSON. */
export interface ResultColumn {
  readonly name: string
  /** The type as Databricks names it, e.g. `DECIMAL(38,2)`, `TIMESTAMP`, `ARRAY`. */
  readonly sourceType: string
  readonly kind: ValueKind
  readonly convert: (value: unknown) => unknown
}

const binaryConversion = (mapping: ConversionOptions["binary"]): ((bytes: Uint8Array) => unknown) => {
  switch (mapping) {
    case "hex":
      return (bytes) => Buffer.from(bytes).toString("hex")
    case "base64":
      return (bytes) => Buffer.from(bytes).toString("base64")
    case "inspect":
      return (bytes) => `<binary ${bytes.length} bytes>`
    case "refuse":
      return () => {
        throw new Error("binary value refused")
      }
  }
}

/** NaN and ±Infinity are not JSON: their names go through as strings (a number column then rejects the row). */
const finiteNumber = (value: unknown): unknown => (typeof value === "number" && !Number.isFinite(value) ? String(value) : value)

/** The driver gives DATE as a Date (or epoch milliseconds) at UTC midnight: `YYYY-MM-DD`. */
const isoDate = (value: unknown): string => {
  if (value instanceof Date) return value.toISOString().slice(0, 10)
  if (typeof value === "number") return new Date(value).toISOString().slice(0, 10)
  return String(value)
}

/**
 * TIMESTAMP as ISO-8601 UTC with its microseconds: the warehouse's Arrow int64, read exactly
 * (`MicrosecondTimestamp`, see ExactDriverValues); a plain Date (milliseconds) if the driver gave one.
 */
const isoTimestamp = (value: unknown): string =>
  value instanceof MicrosecondTimestamp ? isoFromMicros(value.micros) : value instanceof Date ? value.toISOString() : String(value)

/**
 * A value inside an ARRAY, MAP or STRUCT as JSON: BIGINT (a bigint) and DECIMAL (its exact text,
 * marked as a decimal) by the per-column rule of top-level ones (a number where exact, else the
 * text), TIMESTAMP as ISO UTC with microseconds, BINARY as the column's mapping.
 */
const nestedValue = (value: unknown, options: ConversionOptions, binary: (bytes: Uint8Array) => unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "bigint" || value instanceof DecimalText) return decimalValue(String(value), options.bigNumbers)
  if (typeof value === "number") return finiteNumber(value)
  if (typeof value === "string" || typeof value === "boolean") return value
  if (value instanceof Date) return isoTimestamp(value)
  if (value instanceof Uint8Array) return binary(value)
  if (Array.isArray(value)) return value.map((item) => nestedValue(item, options, binary))
  const object: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    Object.defineProperty(object, key, { value: nestedValue(item, options, binary), enumerable: true, writable: true, configurable: true })
  }
  return object
}

const qualifier = (column: ThriftColumn, name: string): number | undefined =>
  column.typeDesc.types[0]?.primitiveEntry?.typeQualifiers?.qualifiers?.[name]?.i32Value ?? undefined

/** The column's type as Databricks writes it: `DECIMAL(p,s)` with its qualifiers, otherwise the type's name. */
export const typeName = (column: ThriftColumn): string => {
  const id = column.typeDesc.types[0]?.primitiveEntry?.type
  const name = id === undefined ? "UNKNOWN" : (TYPE_NAMES[id] ?? `TYPE ${id}`)
  if (name !== "DECIMAL") return name
  const precision = qualifier(column, "precision")
  const scale = qualifier(column, "scale")
  return precision === undefined ? name : `DECIMAL(${precision},${scale ?? 0})`
}

/** How one column's values become JSON, from its declared type. */
export const columnConversion = (sourceType: string, options: ConversionOptions): Pick<ResultColumn, "kind" | "convert"> => {
  const binary = binaryConversion(options.binary)
  const base = sourceType.replace(/\(.*$/, "")
  switch (base) {
    case "BOOLEAN":
      return { kind: "boolean", convert: (value) => value }
    case "TINYINT":
    case "SMALLINT":
    case "INT":
      return { kind: "number", convert: (value) => value }
    case "FLOAT":
    case "DOUBLE":
      return { kind: "number", convert: finiteNumber }
    // With `preserveBigNumericPrecision` the driver gives BIGINT as a bigint and DECIMAL as exact text.
    case "BIGINT":
    case "DECIMAL":
      return { kind: "decimal", convert: (value) => decimalValue(String(value), options.bigNumbers) }
    case "DATE":
      return { kind: "date", convert: isoDate }
    case "TIMESTAMP":
      return { kind: "timestamp", convert: isoTimestamp }
    case "ARRAY":
      return { kind: "array", convert: (value) => nestedValue(value, options, binary) }
    case "MAP":
    case "STRUCT":
      return { kind: "json", convert: (value) => nestedValue(value, options, binary) }
    case "BINARY":
      return { kind: "binary", convert: (value) => binary(value as Uint8Array) }
    default:
      // STRING, VARCHAR, CHAR, intervals, VOID: their text.
      return { kind: "string", convert: (value) => (typeof value === "string" ? value : String(value)) }
  }
}

/**
 * The columns of a result with their conversions, in position order. Fails before any row is read
 * when two columns share a name (the driver keys a row's values by name: one would hide the other)
 * or a binary column is refused.
 */
export const resultColumns = (schema: ReadonlyArray<ThriftColumn>, options: ConversionOptions, doing: string): ReadonlyArray<ResultColumn> => {
  const columns = [...schema]
    .sort((a, b) => a.position - b.position)
    .map((column): ResultColumn => {
      const sourceType = typeName(column)
      return { name: column.columnName, sourceType, ...columnConversion(sourceType, options) }
    })
  const problem = duplicateColumnError("Databricks", columns, doing) ?? refusedBinaryError("Databricks", columns, options, doing)
  if (problem !== undefined) throw problem
  return columns
}

/** The driver's rows (objects keyed by column name) as arrays in column order. */
export const rowArrays = (columns: ReadonlyArray<ResultColumn>, rows: ReadonlyArray<Record<string, unknown>>): Array<Array<unknown>> =>
  rows.map((row) => columns.map((column) => row[column.name]))

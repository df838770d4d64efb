import {
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBUnionValue
} from "@duckdb/node-api"
import {
  type ConversionOptions,
  decimalValue,
  duplicateColumnError,
  parseJsonExactly,
  refusedBinaryError,
  type ValueKind
} from "@tablecast/source-sql"

/** One column of a result: its name, its DuckDB type, and how the driver's value becomes JSON. */
export interface ResultColumn {
  readonly name: string
  /** The type as DuckDB names it, e.g. `DECIMAL(18,2)`, `TIMESTAMP WITH TIME ZONE`, `STRUCT(a INTEGER)`. */
  readonly sourceType: string
  readonly kind: ValueKind
  readonly convert: (value: DuckDBValue) => unknown
}

const MICROS_PER_SECOND = 1_000_000n

/**
 * An instant as ISO-8601 UTC with every fraction digit there is (at least milliseconds):
 * `2024-01-02T03:04:05.123456Z`. `unitsPerSecond` is 1, 1e3, 1e6 or 1e9.
 */
export const isoInstant = (units: bigint, unitsPerSecond: bigint): string => {
  let seconds = units / unitsPerSecond
  let fraction = units % unitsPerSecond
  if (fraction < 0n) {
    seconds -= 1n
    fraction += unitsPerSecond
  }
  const iso = new Date(Number(seconds) * 1000).toISOString() // ...T03:04:05.000Z
  const width = String(unitsPerSecond).length - 1
  const digits = width === 0 ? "" : String(fraction).padStart(width, "0").replace(/0+$/, "")
  return `${iso.slice(0, iso.length - 4)}${digits.padEnd(3, "0")}Z`
}

/** A timestamp value of any precision as ISO UTC; ±infinity as DuckDB names them ("infinity", "-infinity"). */
const isoTimestamp = (value: unknown): unknown => {
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    return value.isFinite ? isoInstant(value.micros, MICROS_PER_SECOND) : value.toString()
  }
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.isFinite ? isoInstant(value.millis, 1000n) : value.toString()
  if (value instanceof DuckDBTimestampNanosecondsValue) return value.isFinite ? isoInstant(value.nanos, 1_000_000_000n) : value.toString()
  if (value instanceof DuckDBTimestampSecondsValue) return value.isFinite ? isoInstant(value.seconds, 1n) : value.toString()
  return String(value)
}

/** NaN and ±Infinity are not JSON: their names go through as strings (a number column then rejects the row). */
const finiteNumber = (value: unknown): unknown => (typeof value === "number" && !Number.isFinite(value) ? String(value) : value)

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

/**
 * A value inside a LIST, ARRAY, STRUCT, MAP or UNION as JSON, by its own class: numbers exact
 * (a DECIMAL or big integer that a double would change stays its text), timestamps ISO UTC,
 * dates `YYYY-MM-DD`, MAP as an object keyed by the keys' text.
 */
const nestedValue = (value: DuckDBValue, options: ConversionOptions, binary: (bytes: Uint8Array) => unknown): unknown => {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value
  if (typeof value === "number") return finiteNumber(value)
  if (typeof value === "bigint") return decimalValue(String(value), options.bigNumbers)
  if (value instanceof DuckDBDecimalValue) return decimalValue(value.toString(), options.bigNumbers)
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map((item) => nestedValue(item, options, binary))
  if (value instanceof DuckDBStructValue) {
    const object: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value.entries)) {
      Object.defineProperty(object, key, { value: nestedValue(item, options, binary), enumerable: true, writable: true, configurable: true })
    }
    return object
  }
  if (value instanceof DuckDBMapValue) {
    const object: Record<string, unknown> = {}
    for (const { key, value: item } of value.entries) {
      Object.defineProperty(object, String(key), {
        value: nestedValue(item, options, binary),
        enumerable: true,
        writable: true,
        configurable: true
      })
    }
    return object
  }
  if (value instanceof DuckDBUnionValue) return nestedValue(value.value, options, binary)
  if (value instanceof DuckDBBlobValue) return binary(value.bytes)
  if (value instanceof DuckDBDateValue) return value.toString()
  return isoTimestamp(value)
}

const INTEGERS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER
])
const BIG_INTEGERS = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM
])
const TIMESTAMPS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_TZ,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS
])
const NESTED_JSON = new Set<DuckDBTypeId>([DuckDBTypeId.STRUCT, DuckDBTypeId.MAP, DuckDBTypeId.UNION, DuckDBTypeId.VARIANT])

/** How one column's values become JSON, from its DuckDB type. */
export const columnConversion = (
  type: DuckDBType,
  options: ConversionOptions
): { readonly kind: ValueKind; readonly convert: (value: DuckDBValue) => unknown } => {
  const id = type.typeId
  const binary = binaryConversion(options.binary)
  if (id === DuckDBTypeId.BOOLEAN) return { kind: "boolean", convert: (value) => value }
  if (INTEGERS.has(id)) return { kind: "number", convert: (value) => value }
  if (id === DuckDBTypeId.FLOAT || id === DuckDBTypeId.DOUBLE) return { kind: "number", convert: finiteNumber }
  if (BIG_INTEGERS.has(id) || id === DuckDBTypeId.DECIMAL) {
    return { kind: "decimal", convert: (value) => decimalValue(String(value), options.bigNumbers) }
  }
  if (id === DuckDBTypeId.DATE) return { kind: "date", convert: (value) => String(value) }
  if (TIMESTAMPS.has(id)) return { kind: "timestamp", convert: isoTimestamp }
  if (id === DuckDBTypeId.LIST || id === DuckDBTypeId.ARRAY) return { kind: "array", convert: (value) => nestedValue(value, options, binary) }
  if (NESTED_JSON.has(id)) return { kind: "json", convert: (value) => nestedValue(value, options, binary) }
  if (id === DuckDBTypeId.BLOB) return { kind: "binary", convert: (value) => binary((value as DuckDBBlobValue).bytes) }
  // DuckDB's JSON type is VARCHAR with the alias JSON.
  if (id === DuckDBTypeId.VARCHAR && type.alias?.toUpperCase() === "JSON")
    return { kind: "json", convert: (value) => parseJsonExactly(String(value)) }
  // VARCHAR, UUID, ENUM, TIME, TIME WITH TIME ZONE, INTERVAL, BIT: their text.
  return { kind: "string", convert: (value) => (typeof value === "string" ? value : String(value)) }
}

/**
 * The columns of a result with their conversions. Fails before any row is read when two columns
 * share a name (one would overwrite the other) or a binary column is refused.
 */
export const resultColumns = (
  names: ReadonlyArray<string>,
  types: ReadonlyArray<DuckDBType>,
  options: ConversionOptions,
  doing: string
): ReadonlyArray<ResultColumn> => {
  const columns = names.map((name, index): ResultColumn => {
    const type = types[index]!
    const conversion = columnConversion(type, options)
    return { name, sourceType: type.toString(), kind: conversion.kind, convert: conversion.convert }
  })
  const problem = duplicateColumnError("DuckDB", columns, doing) ?? refusedBinaryError("DuckDB", columns, options, doing)
  if (problem !== undefined) throw problem
  return columns
}

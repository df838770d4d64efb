import {
  type ConversionOptions,
  decimalValue,
  duplicateColumnError,
  isoFromMicros,
  parseJsonExactly,
  refusedBinaryError,
  type ValueKind
} from "@tablecast/source-sql"

/** A field of a result's schema, as the REST API gives it. */
export interface RestField {
  readonly name: string
  readonly type: string
  readonly mode?: string
  readonly fields?: ReadonlyArray<RestField>
  readonly precision?: string
  readonly scale?: string
}

/** One column of a result: its name, its BigQuery type, and how a REST cell's value becomes JSON. */
export interface ResultColumn {
  readonly name: string
  /** The type as BigQuery names it, e.g. `NUMERIC(12,2)`, `TIMESTAMP`, `ARRAY<STRING>`, `STRUCT<...>`. */
  readonly sourceType: string
  readonly kind: ValueKind
  readonly nullable: boolean
  readonly convert: (value: unknown) => unknown
}

/** Microseconds since the epoch as ISO-8601 UTC, every fraction digit there is (at least milliseconds). */
export const isoMicros = isoFromMicros

/**
 * A TIMESTAMP cell: int64 microseconds (what the client asks for, `formatOptions.useInt64Timestamp`)
 * or, from older answers, float seconds such as `1.5778368E9` (exact to the microsecond only
 * within a double's precision).
 */
const timestampValue = (value: unknown): unknown => {
  if (typeof value !== "string") return value
  if (/^-?\d+$/.test(value)) return isoMicros(BigInt(value))
  const seconds = Number(value)
  return Number.isFinite(seconds) ? isoMicros(BigInt(Math.round(seconds * 1e6))) : value
}

/** DATETIME has no zone: its wall-clock reading is sent as UTC, `2024-01-02T03:04:05.123456Z` (as Snowflake's TIMESTAMP_NTZ). */
const datetimeValue = (value: unknown): unknown => {
  if (typeof value !== "string") return value
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/.exec(value)
  if (match === null) return value
  return `${match[1]}T${match[2]}.${(match[3] ?? "").replace(/0+$/, "").padEnd(3, "0")}Z`
}

const floatValue = (value: unknown): unknown => {
  if (typeof value !== "string") return value
  const number = Number(value)
  // NaN and ±Infinity are not JSON: their names go through as strings.
  return Number.isFinite(number) ? number : value
}

const binaryConversion = (mapping: ConversionOptions["binary"]): ((value: unknown) => unknown) => {
  const bytes = (value: unknown) => Buffer.from(String(value), "base64")
  switch (mapping) {
    case "hex":
      return (value) => bytes(value).toString("hex")
    case "base64":
      return (value) => bytes(value).toString("base64")
    case "inspect":
      return (value) => `<binary ${bytes(value).length} bytes>`
    case "refuse":
      return () => {
        throw new Error("binary value refused")
      }
  }
}

const TYPE_NAMES: Record<string, string> = { INTEGER: "INT64", FLOAT: "FLOAT64", BOOLEAN: "BOOL", RECORD: "STRUCT" }

/** The field's type as GoogleSQL writes it. */
export const typeName = (field: RestField): string => {
  const base = TYPE_NAMES[field.type] ?? field.type
  const scalar =
    base === "STRUCT"
      ? `STRUCT<${(field.fields ?? []).map((each) => `${each.name} ${typeName(each)}`).join(", ")}>`
      : field.precision === undefined
        ? base
        : `${base}(${field.precision}${field.scale === undefined ? "" : `,${field.scale}`})`
  return field.mode === "REPEATED" ? `ARRAY<${scalar}>` : scalar
}

/** How one scalar (not repeated) field's value becomes JSON. */
const scalarConversion = (field: RestField, options: ConversionOptions): { kind: ValueKind; convert: (value: unknown) => unknown } => {
  switch (field.type) {
    case "INTEGER":
    case "INT64":
    case "NUMERIC":
    case "BIGNUMERIC":
      // Sent as text: exact whatever the size, a number where a double holds it exactly.
      return { kind: "decimal", convert: (value) => (typeof value === "string" ? decimalValue(value, options.bigNumbers) : value) }
    case "FLOAT":
    case "FLOAT64":
      return { kind: "number", convert: floatValue }
    case "BOOLEAN":
    case "BOOL":
      return { kind: "boolean", convert: (value) => (value === "true" ? true : value === "false" ? false : value) }
    case "TIMESTAMP":
      return { kind: "timestamp", convert: timestampValue }
    case "DATETIME":
      return { kind: "timestamp", convert: datetimeValue }
    case "DATE":
      return { kind: "date", convert: (value) => value }
    case "JSON":
      return { kind: "json", convert: (value) => (typeof value === "string" ? parseJsonExactly(value) : value) }
    case "BYTES":
      return { kind: "binary", convert: binaryConversion(options.binary) }
    case "RECORD":
    case "STRUCT": {
      const fields = (field.fields ?? []).map((each) => ({ name: each.name, convert: fieldConversion(each, options).convert }))
      return {
        kind: "json",
        convert: (value) => {
          if (value === null || typeof value !== "object") return value
          const cells = (value as { f?: ReadonlyArray<{ v: unknown }> }).f ?? []
          const object: Record<string, unknown> = {}
          fields.forEach((each, index) => {
            Object.defineProperty(object, each.name, {
              value: each.convert(cells[index]?.v ?? null),
              enumerable: true,
              writable: true,
              configurable: true
            })
          })
          return object
        }
      }
    }
    default: // STRING, TIME, GEOGRAPHY (WKT), INTERVAL, RANGE: their text.
      return { kind: "string", convert: (value) => value }
  }
}

/** How a field's value becomes JSON: REPEATED fields are arrays of their element's conversion. */
export const fieldConversion = (field: RestField, options: ConversionOptions): { kind: ValueKind; convert: (value: unknown) => unknown } => {
  const scalar = scalarConversion(field, options)
  const convert = (value: unknown) => (value === null || value === undefined ? null : scalar.convert(value))
  if (field.mode !== "REPEATED") return { kind: scalar.kind, convert }
  return {
    kind: "array",
    convert: (value) => (Array.isArray(value) ? value.map((cell: { v: unknown }) => convert(cell?.v ?? null)) : value === null ? [] : value)
  }
}

/**
 * The columns of a result's schema with their conversions. Fails before any row is read when two
 * columns share a name or a BYTES column is refused.
 */
export const resultColumns = (fields: ReadonlyArray<RestField>, options: ConversionOptions, doing: string): ReadonlyArray<ResultColumn> => {
  const columns = fields.map((field): ResultColumn => {
    const conversion = fieldConversion(field, options)
    return {
      name: field.name,
      sourceType: typeName(field),
      kind: conversion.kind,
      nullable: field.mode !== "REQUIRED",
      convert: conversion.convert
    }
  })
  const problem = duplicateColumnError("BigQuery", columns, doing) ?? refusedBinaryError("BigQuery", columns, options, doing)
  if (problem !== undefined) throw problem
  return columns
}

/** A REST row (`{ f: [{ v }] }`) as the cell values, in column order. */
export const cellsOf = (row: unknown): Array<unknown> => ((row as { f?: ReadonlyArray<{ v: unknown }> }).f ?? []).map((cell) => cell?.v ?? null)

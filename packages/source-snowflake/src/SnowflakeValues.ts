import {
  type ConversionOptions,
  decimalValue,
  duplicateColumnError,
  isoUtc,
  parseJsonExactly,
  refusedBinaryError,
  type ValueKind
} from "@tablecast/source-sql"
import type * as Snowflake from "snowflake-sdk"

/** One column of a result: its name, its Snowflake type, and how the driver's value becomes JSON. */
export interface ResultColumn {
  readonly name: string
  /** The type as Snowflake names it, e.g. `NUMBER(12,2)`, `TIMESTAMP_TZ`, `VARIANT`. */
  readonly sourceType: string
  readonly kind: ValueKind
  readonly nullable: boolean
  readonly convert: (value: unknown) => unknown
}

/** The date part of the driver's SfDate (a Date at UTC midnight), as `YYYY-MM-DD`. */
const isoDate = (value: unknown): unknown => {
  if (!(value instanceof Date)) return value
  const iso = value.toISOString()
  return iso.slice(0, iso.indexOf("T"))
}

interface SfDate extends Date {
  getEpochSeconds?: () => number
  getNanoSeconds?: () => number
}

/**
 * A TIMESTAMP_NTZ/LTZ/TZ value (the driver's SfDate: epoch seconds and nanoseconds) as ISO-8601
 * UTC, keeping every fraction digit there is (at least milliseconds): `2024-01-02T03:04:05.123456Z`.
 * NTZ values have no zone; Snowflake's wall-clock reading is taken as UTC.
 */
const isoTimestamp = (value: unknown): unknown => {
  if (!(value instanceof Date)) return value
  const date = value as SfDate
  const seconds = date.getEpochSeconds?.()
  const nanos = date.getNanoSeconds?.()
  if (seconds === undefined || nanos === undefined) return date.toISOString()
  return isoUtc(seconds, nanos, 9)
}

const binaryConversion = (mapping: ConversionOptions["binary"]): ((value: unknown) => unknown) => {
  const bytes = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(String(value), "hex"))
  switch (mapping) {
    case "hex":
      return (value) => bytes(value).toString("hex")
    case "base64":
      return (value) => bytes(value).toString("base64")
    case "inspect":
      return (value) => `<binary ${bytes(value).length} bytes>`
    case "refuse":
      return () => {
        throw new Error("binary column refused")
      }
  }
}

const real = (value: unknown): unknown => {
  if (typeof value !== "string") return value
  const number = Number(value)
  // NaN and ±Infinity are not JSON: their names go through as strings.
  return Number.isFinite(number) ? number : value
}

const json = (value: unknown): unknown => (typeof value === "string" ? parseJsonExactly(value) : value)

const describeType = (column: Snowflake.Column): string => {
  const type = column.getType().toUpperCase()
  if (type === "FIXED") return `NUMBER(${column.getPrecision() ?? 38},${column.getScale() ?? 0})`
  if (type === "REAL") return "FLOAT"
  if (type === "TEXT") return "VARCHAR"
  return type
}

/** How one driver column's values become JSON. */
export const columnConversion = (
  column: Snowflake.Column,
  options: ConversionOptions
): { readonly kind: ValueKind; readonly convert: (value: unknown) => unknown } => {
  switch (column.getType().toLowerCase()) {
    case "fixed":
      return { kind: "decimal", convert: (value) => (typeof value === "string" ? decimalValue(value, options.bigNumbers) : value) }
    case "real":
      return { kind: "number", convert: real }
    case "boolean":
      return { kind: "boolean", convert: (value) => value }
    case "date":
      return { kind: "date", convert: isoDate }
    case "timestamp_ntz":
    case "timestamp_ltz":
    case "timestamp_tz":
      return { kind: "timestamp", convert: isoTimestamp }
    case "variant":
    case "object":
    case "map":
      return { kind: "json", convert: json }
    case "array":
      return { kind: "array", convert: json }
    case "binary":
      return { kind: "binary", convert: binaryConversion(options.binary) }
    default: // text, time
      return { kind: "string", convert: (value) => value }
  }
}

/**
 * The columns of an executed statement with their conversions. Fails before any row is read when
 * two columns share a name (one would overwrite the other) or a binary column is refused.
 */
export const resultColumns = (statement: Snowflake.RowStatement, options: ConversionOptions, doing: string): ReadonlyArray<ResultColumn> => {
  const columns = (statement.getColumns() ?? []).map((column): ResultColumn => {
    const conversion = columnConversion(column, options)
    return {
      name: column.getName(),
      sourceType: describeType(column),
      kind: conversion.kind,
      nullable: column.isNullable(),
      convert: conversion.convert
    }
  })
  const problem = duplicateColumnError("Snowflake", columns, doing) ?? refusedBinaryError("Snowflake", columns, options, doing)
  if (problem !== undefined) throw problem
  return columns
}

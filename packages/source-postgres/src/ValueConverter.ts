import { type ConversionOptions, decimalValue, parseJsonExactly, type ValueKind } from "@tablecast/source-sql"
import { parse as parseArray } from "postgres-array"
import { dateToIso, timestampToIso } from "./PostgresTime.ts"

/** A type as `pg_type` describes it. */
export interface PgTypeInfo {
  readonly oid: number
  readonly name: string
  /** typtype: b base, d domain, e enum, c composite, r range, m multirange, p pseudo. */
  readonly type: string
  /** typcategory: A array, N numeric, S string, D date/time, ... */
  readonly category: string
  /** typelem: the element type of an array (0 if none). */
  readonly element: number
  /** typbasetype: the type a domain is over (0 if none). */
  readonly base: number
  readonly delimiter: string
}

/** How one column's text becomes a JSON value. */
export interface ValueConversion {
  readonly kind: ValueKind
  readonly convert: (text: string) => unknown
}

const number = (text: string): number | string => {
  const value = Number(text)
  // NaN and ±Infinity are not JSON: their names go through as strings.
  return Number.isFinite(value) ? value : text
}

/** bytea hex output (`\x0102ff`) as the option asks. */
const binaryConversion = (mapping: ConversionOptions["binary"]): ((text: string) => unknown) => {
  switch (mapping) {
    case "hex":
      return (text) => text.slice(2)
    case "base64":
      return (text) => Buffer.from(text.slice(2), "hex").toString("base64")
    case "inspect":
      return (text) => `<binary ${(text.length - 2) / 2} bytes>`
    case "refuse":
      // Never called: a refused binary column stops the read before the first row.
      return () => {
        throw new Error("binary column refused")
      }
  }
}

const identity = (text: string): string => text

/** Conversions of the built-in base types, by OID. */
const baseConversion = (oid: number, options: ConversionOptions): ValueConversion | undefined => {
  switch (oid) {
    case 16: // bool
      return { kind: "boolean", convert: (text) => text === "t" }
    case 21: // int2
    case 23: // int4
    case 26: // oid
      return { kind: "number", convert: Number }
    case 700: // float4
    case 701: // float8
      return { kind: "number", convert: number }
    case 20: // int8
    case 1700: // numeric
      return { kind: "decimal", convert: (text) => decimalValue(text, options.bigNumbers) }
    case 114: // json
    case 3802: // jsonb
      return { kind: "json", convert: parseJsonExactly }
    case 1082: // date
      return { kind: "date", convert: dateToIso }
    case 1114: // timestamp
    case 1184: // timestamptz
      return { kind: "timestamp", convert: timestampToIso }
    case 17: // bytea
      return { kind: "binary", convert: binaryConversion(options.binary) }
    default:
      return undefined
  }
}

/**
 * The conversion of a type: built-in base types by OID, domains as their base type, arrays
 * element by element, everything else (text, uuid, enums, intervals, ranges...) as the server's text.
 * `types` must hold the pg_type rows of every OID that is not a built-in base type.
 */
export const conversionFor = (oid: number, types: ReadonlyMap<number, PgTypeInfo>, options: ConversionOptions, depth = 0): ValueConversion => {
  const base = baseConversion(oid, options)
  if (base !== undefined) return base
  const info = types.get(oid)
  if (info === undefined || depth > 8) return { kind: "string", convert: identity }
  if (info.type === "d" && info.base !== 0) return conversionFor(info.base, types, options, depth + 1)
  if (info.category === "A" && info.element !== 0) {
    const element = conversionFor(info.element, types, options, depth + 1)
    // Arrays of types with another delimiter (box uses ";") are rare: they stay text.
    if (info.delimiter !== ",") return { kind: "string", convert: identity }
    return {
      kind: element.kind === "binary" ? "binary" : "array",
      convert: (text) => parseArray(text, element.convert)
    }
  }
  return { kind: "string", convert: identity }
}

/** OIDs that `conversionFor` needs pg_type rows for (not built-in base types). */
export const needsTypeInfo = (oid: number): boolean => baseConversion(oid, { bigNumbers: "string", binary: "inspect" }) === undefined

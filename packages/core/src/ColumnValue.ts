import type { ColumnType } from "./SyncSpec.ts"

/** A value converted for a message, or the reason it does not fit its column's type. */
export type Converted =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string }

/** Marks an empty value (empty string, null, undefined), which the spec's `empty` rule decides. */
export const EMPTY: unique symbol = Symbol("tablecast/empty")

const ok = (value: unknown): Converted => ({ ok: true, value })
const fail = (reason: string): Converted => ({ ok: false, reason })

// A JSON-style number literal: what a model writes for a score. Leading zeros ("007") and
// forms like "1e5" with no digits before are left to `auto` as strings on purpose.
const NUMBER_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

const describe = (raw: unknown): string => {
  const text = typeof raw === "string" ? raw : JSON.stringify(raw) ?? String(raw)
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
}

const isBinary = (raw: unknown): boolean => raw instanceof Uint8Array || raw instanceof ArrayBuffer

/** Numbers that JSON can carry exactly; a bigint out of range stays a string rather than round. */
const fromBigInt = (raw: bigint): unknown =>
  raw >= BigInt(Number.MIN_SAFE_INTEGER) && raw <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(raw) : raw.toString()

const toNumber = (raw: unknown): number | undefined => {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : undefined
  if (typeof raw === "bigint") {
    const value = fromBigInt(raw)
    return typeof value === "number" ? value : undefined
  }
  if (typeof raw === "string") {
    const text = raw.trim()
    if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return undefined
    const value = Number(text)
    return Number.isFinite(value) ? value : undefined
  }
  return undefined
}

const TRUE = new Set(["true", "t", "yes", "y", "1"])
const FALSE = new Set(["false", "f", "no", "n", "0"])

const toBoolean = (raw: unknown): boolean | undefined => {
  if (typeof raw === "boolean") return raw
  if (typeof raw === "number") return raw === 1 ? true : raw === 0 ? false : undefined
  if (typeof raw === "string") {
    const text = raw.trim().toLowerCase()
    return TRUE.has(text) ? true : FALSE.has(text) ? false : undefined
  }
  return undefined
}

// "2026-11-28 10:00:00" has no zone: warehouses mean UTC there, but Date.parse would read local
// time, so such values are read as UTC explicitly.
const HAS_ZONE = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/** ISO-8601 UTC with milliseconds, as Segment wants timestamps. */
export const toIsoTimestamp = (raw: unknown): string | undefined => {
  let millis: number
  if (raw instanceof Date) millis = raw.getTime()
  else if (typeof raw === "number" || typeof raw === "bigint") {
    const n = Number(raw)
    // Epoch seconds until year 5138, epoch milliseconds after: no model writes either past that.
    millis = Math.abs(n) < 1e11 ? n * 1000 : n
  } else if (typeof raw === "string") {
    let text = raw.trim()
    if (text === "") return undefined
    if (DATE_ONLY.test(text)) text = `${text}T00:00:00Z`
    else {
      text = text.replace(" ", "T")
      if (!HAS_ZONE.test(text)) text = `${text}Z`
    }
    millis = Date.parse(text)
  } else return undefined
  if (!Number.isFinite(millis)) return undefined
  const date = new Date(millis)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

/** Converts a raw value that is not a declared type's, keeping what JSON can carry. */
const autoValue = (raw: unknown): Converted => {
  switch (typeof raw) {
    case "string":
      return ok(NUMBER_LITERAL.test(raw) && Number.isFinite(Number(raw)) && String(Number(raw)) === raw ? Number(raw) : raw)
    case "number":
      return Number.isFinite(raw) ? ok(raw) : fail(`${raw} is not a finite number`)
    case "bigint":
      return ok(fromBigInt(raw))
    case "boolean":
      return ok(raw)
    case "object":
      if (raw instanceof Date) {
        const iso = toIsoTimestamp(raw)
        return iso === undefined ? fail("an invalid date") : ok(iso)
      }
      if (isBinary(raw)) return fail("binary data, which JSON cannot carry (map it as a string)")
      return ok(raw)
    default:
      return fail(`a value of type ${typeof raw}`)
  }
}

/**
 * Converts one raw column value to its declared type. Empty values come back as `EMPTY`, for the
 * caller to omit or send as null.
 */
export const convertValue = (raw: unknown, type: ColumnType): Converted | typeof EMPTY => {
  if (raw === null || raw === undefined || raw === "") return EMPTY
  switch (type) {
    case "auto":
      return autoValue(raw)
    case "string":
      if (typeof raw === "string") return ok(raw)
      if (raw instanceof Date) return ok(toIsoTimestamp(raw) ?? String(raw))
      if (isBinary(raw)) return fail("binary data, which is not a string")
      return ok(typeof raw === "object" ? JSON.stringify(raw) : String(raw))
    case "number": {
      const value = toNumber(raw)
      return value === undefined ? fail(`${describe(raw)} is not a number`) : ok(value)
    }
    case "integer": {
      const value = toNumber(raw)
      return value === undefined || !Number.isSafeInteger(value)
        ? fail(`${describe(raw)} is not an integer`)
        : ok(value)
    }
    case "boolean": {
      const value = toBoolean(raw)
      return value === undefined ? fail(`${describe(raw)} is not a boolean (true/false, yes/no, 1/0)`) : ok(value)
    }
    case "json": {
      if (typeof raw !== "string") return isBinary(raw) ? fail("binary data, which is not JSON") : ok(raw)
      try {
        return ok(JSON.parse(raw))
      } catch {
        return fail(`${describe(raw)} is not valid JSON`)
      }
    }
    case "timestamp": {
      const iso = toIsoTimestamp(raw)
      return iso === undefined ? fail(`${describe(raw)} is not a timestamp`) : ok(iso)
    }
  }
}

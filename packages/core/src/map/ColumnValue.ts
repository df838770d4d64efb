import type { ColumnType } from "../spec/SyncSpec.ts"
import type { ValueRule } from "./RowFailure.ts"
import { nestsDeeperThan, tooDeepReason } from "./ValueDepth.ts"

/** A value converted for a message, or the reason it does not fit its column's type. */
export type Converted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string; readonly rule?: ValueRule }

/** Marks an empty value (empty string, null, undefined), which the spec's `empty` rule decides. */
export const EMPTY: unique symbol = Symbol("tablecast/empty")

const ok = (value: unknown): Converted => ({ ok: true, value })
const fail = (reason: string): Converted => ({ ok: false, reason })
/** A value that breaks a rule: the reason quotes the value (as `describe`d), the rule says it without. */
const failValue = (value: string, broken: string): Converted => ({ ok: false, reason: `${value} ${broken}`, rule: { broken } })

// A JSON-style number literal: what a model writes for a score. Leading zeros ("007") and
// forms like "1e5" with no digits before are left to `auto` as strings on purpose.
const NUMBER_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** The exact rule: a JSON number literal that JavaScript writes back unchanged. */
const isCanonicalNumberExactly = (text: string): boolean => {
  if (!NUMBER_LITERAL.test(text)) return false
  const value = Number(text)
  return Number.isFinite(value) && String(value) === text
}

const DIGIT_0 = 48
const DIGIT_1 = 49
const DIGIT_9 = 57
const MINUS = 45
const POINT = 46

/**
 * The same rule for the usual cases, in one pass over the characters and without converting: a
 * plain decimal ("0.734", "-12", "1500.5") with at most 15 significant digits reads as a double
 * that JavaScript writes back as the same digits (15 digits always survive the round trip, so no
 * shorter form exists), and in plain notation as long as it has fewer than 6 zeros after "0.".
 * Answers undefined when unsure (exponents, more digits, tiny fractions).
 */
const isCanonicalNumberQuickly = (text: string): boolean | undefined => {
  const length = text.length
  let i = text.charCodeAt(0) === MINUS ? 1 : 0
  if (i >= length) return false
  const first = text.charCodeAt(i)
  let digits = 0
  if (first === DIGIT_0) {
    i++
    if (i === length) return i === 1 // "0" is canonical, "-0" is written "0"
  } else if (first >= DIGIT_1 && first <= DIGIT_9) {
    for (; i < length; i++) {
      const code = text.charCodeAt(i)
      if (code < DIGIT_0 || code > DIGIT_9) break
      digits++
    }
    if (i === length) return digits <= 15 ? true : undefined
  } else return false
  if (text.charCodeAt(i) !== POINT) return text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69 ? undefined : false
  i++
  const fractionStart = i
  let leadingZeros = 0
  for (; i < length; i++) {
    const code = text.charCodeAt(i)
    if (code < DIGIT_0 || code > DIGIT_9) break
    if (digits === 0 && code === DIGIT_0) leadingZeros++
    else digits++
  }
  if (i === fractionStart) return false // "1." is not a literal
  if (i < length) return text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69 ? undefined : false
  if (text.charCodeAt(length - 1) === DIGIT_0) return false // "1.50" is written "1.5"
  return digits <= 15 && leadingZeros < 6 ? true : undefined
}

/**
 * Whether a string is exactly how JavaScript writes some finite number (and so how JSON does):
 * `auto` sends such a string as that number, and it can be copied into JSON as it is.
 */
export const isCanonicalNumber = (text: string): boolean => isCanonicalNumberQuickly(text) ?? isCanonicalNumberExactly(text)

const describe = (raw: unknown): string => {
  // A bigint is the one value JSON.stringify throws on.
  const text = typeof raw === "string" ? raw : typeof raw === "bigint" ? raw.toString() : (JSON.stringify(raw) ?? String(raw))
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

/** The number written in `text[from, from + length)`, or -1 if that is not all digits. */
const digitsAt = (text: string, from: number, length: number): number => {
  let value = 0
  for (let i = from; i < from + length; i++) {
    const code = text.charCodeAt(i) - DIGIT_0
    if (code < 0 || code > 9) return -1
    value = value * 10 + code
  }
  return value
}

/**
 * The usual shapes of a UTC time — "2026-11-28T10:00:00Z", "2026-11-28 10:00:00", either with
 * ".123" — already are their ISO form once checked, so they need no parsing into a Date and back.
 * Undefined for anything else (zones, other precisions, invalid dates), left to `Date.parse`.
 */
const quickIsoTimestamp = (text: string): string | undefined => {
  const length = text.length
  if (length !== 19 && length !== 20 && length !== 23 && length !== 24) return undefined
  const zoned = length === 20 || length === 24
  if (zoned && text.charCodeAt(length - 1) !== 90 /* Z */) return undefined
  const separator = text.charCodeAt(10)
  if (text.charCodeAt(4) !== MINUS || text.charCodeAt(7) !== MINUS || (separator !== 84 /* T */ && separator !== 32)) return undefined
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 /* : */) return undefined
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 2)
  const day = digitsAt(text, 8, 2)
  if (year < 1000 || month < 1 || month > 12 || day < 1) return undefined
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)) return undefined
  const hours = digitsAt(text, 11, 2)
  const minutes = digitsAt(text, 14, 2)
  const seconds = digitsAt(text, 17, 2)
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return undefined
  if (length >= 23) {
    if (text.charCodeAt(19) !== POINT || digitsAt(text, 20, 3) < 0) return undefined
    return `${text.slice(0, 10)}T${text.slice(11, 23)}Z`
  }
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.000Z`
}

/**
 * `Date.parse` rolls an impossible date over ("2026-02-30" is March 2): a date that starts the
 * text must exist in the calendar. Text that does not start with YYYY-MM-DD is left to the parser.
 */
const calendarDateFits = (text: string): boolean => {
  if (text.length < 10 || text.charCodeAt(4) !== MINUS || text.charCodeAt(7) !== MINUS) return true
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 2)
  const day = digitsAt(text, 8, 2)
  if (year < 0 || month < 0 || day < 0) return true
  if (month < 1 || month > 12 || day < 1) return false
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return day <= DAYS_IN_MONTH[month - 1]! + (leap ? 1 : 0)
}

/** ISO-8601 UTC with milliseconds, as Segment wants timestamps. */
export const toIsoTimestamp = (raw: unknown): string | undefined => {
  if (typeof raw === "string") {
    const quick = quickIsoTimestamp(raw)
    if (quick !== undefined) return quick
  }
  let millis: number
  if (raw instanceof Date) millis = raw.getTime()
  else if (typeof raw === "number" || typeof raw === "bigint") {
    const n = Number(raw)
    // Epoch seconds until year 5138, epoch milliseconds after: no model writes either past that.
    millis = Math.abs(n) < 1e11 ? n * 1000 : n
  } else if (typeof raw === "string") {
    let text = raw.trim()
    if (text === "" || !calendarDateFits(text)) return undefined
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
      return ok(isCanonicalNumber(raw) ? Number(raw) : raw)
    case "number":
      return Number.isFinite(raw) ? ok(raw) : failValue(String(raw), "is not a finite number")
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
  // Before any conversion serializes it: a value too deep would overflow the serializer's stack.
  if (typeof raw === "object" && nestsDeeperThan(raw)) return fail(tooDeepReason())
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
      return value === undefined ? failValue(describe(raw), "is not a number") : ok(value)
    }
    case "integer": {
      const value = toNumber(raw)
      return value === undefined || !Number.isSafeInteger(value) ? failValue(describe(raw), "is not an integer") : ok(value)
    }
    case "boolean": {
      const value = toBoolean(raw)
      return value === undefined ? failValue(describe(raw), "is not a boolean (true/false, yes/no, 1/0)") : ok(value)
    }
    case "json": {
      if (typeof raw !== "string") return isBinary(raw) ? fail("binary data, which is not JSON") : ok(raw)
      try {
        const parsed: unknown = JSON.parse(raw)
        return nestsDeeperThan(parsed) ? fail(tooDeepReason()) : ok(parsed)
      } catch {
        return failValue(describe(raw), "is not valid JSON")
      }
    }
    case "timestamp": {
      const iso = toIsoTimestamp(raw)
      return iso === undefined ? failValue(describe(raw), "is not a timestamp") : ok(iso)
    }
  }
}

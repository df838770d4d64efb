import { type Converted, convertValue, EMPTY } from "./ColumnValue.ts"
import { exactNumber } from "./ExactNumber.ts"
import type { ColumnType, SyncSpec } from "../spec/SyncSpec.ts"

/**
 * What `auto` sends a column's values as, decided once for the whole column — never value by
 * value, so that every message of a sync gives a property the same JSON type.
 *
 * - `number`: JSON numbers; a value that is not a number, or a number JSON cannot carry exactly,
 *   rejects its row with a reason naming the column and the type.
 * - `string`: JSON strings, whatever the text looks like (`"007"`, `"12"`).
 * - `boolean`, `json`, `timestamp`, `date`, `array`: the source's own typed values (a warehouse's
 *   BOOLEAN, JSONB, TIMESTAMP ...), sent as the source converted them.
 */
export type DecidedType = "string" | "number" | "boolean" | "json" | "timestamp" | "date" | "array"

/** A column's decided type and what it was decided from, e.g. `declared numeric(12,2)`, `decided from the first 1000 rows`. */
export interface DecidedColumn {
  readonly type: DecidedType
  readonly basis: string
  /** Why a column came out as it did, when worth telling (e.g. the first value that was not a number). */
  readonly note?: string
}

/**
 * The decided type of each column a source knows (`RowSourceShape.columnTypes`). Plain data: it
 * crosses to the CSV source's worker thread as it is.
 */
export type ColumnTypes = Readonly<Record<string, DecidedColumn>>

/** The key of `SyncSpec.columns` that declares the type of every column not declared by name. */
export const WILDCARD_COLUMN = "*"

/** How one column's values are converted, once `auto` is resolved. */
export type ColumnRule =
  /** A type the sync declares: by name (`--column c=number`), or for every column (`--column '*=string'`). */
  | { readonly _tag: "Declared"; readonly type: Exclude<ColumnType, "auto">; readonly wildcard: boolean }
  /** `auto`, decided for the column by the source. */
  | ({ readonly _tag: "Decided" } & DecidedColumn)
  /**
   * `auto` for a source that decides no types (a library user's own source, an edge request's
   * loose JSON records): each value as it comes (see `convertValue`'s `auto`).
   */
  | { readonly _tag: "PerValue" }

const PER_VALUE: ColumnRule = { _tag: "PerValue" }

/**
 * The rule of each column: a type declared by name wins (even `auto`), then the wildcard, then the
 * source's decision; a column the source decided nothing for is converted value by value.
 */
export const columnRules = (spec: Pick<SyncSpec, "columns">, types: ColumnTypes | undefined): ((column: string) => ColumnRule) => {
  const wildcard = Object.hasOwn(spec.columns, WILDCARD_COLUMN) ? spec.columns[WILDCARD_COLUMN]! : "auto"
  return (column) => {
    // Own properties only: a column named "__proto__" or "constructor" must not find Object's.
    const declared = column !== WILDCARD_COLUMN && Object.hasOwn(spec.columns, column) ? spec.columns[column]! : undefined
    if (declared !== undefined && declared !== "auto") return { _tag: "Declared", type: declared, wildcard: false }
    if (declared === undefined && wildcard !== "auto") return { _tag: "Declared", type: wildcard, wildcard: true }
    const decided = types !== undefined && Object.hasOwn(types, column) ? types[column] : undefined
    return decided === undefined ? PER_VALUE : { _tag: "Decided", ...decided }
  }
}

/** The JSON type a rule sends: what `preview` and `inspect` show. */
export const ruleType = (rule: ColumnRule): string => (rule._tag === "PerValue" ? "auto (per value)" : rule.type)

/** Why a rule is what it is, for `preview` and `inspect`. */
export const ruleBasis = (rule: ColumnRule): string => {
  switch (rule._tag) {
    case "Declared":
      return rule.wildcard ? "declared for every column (*)" : "declared"
    case "Decided":
      return rule.note === undefined ? rule.basis : `${rule.basis}; ${rule.note}`
    case "PerValue":
      return "the source decides no types"
  }
}

/** Whether an empty value may be sent as `""` in the column: only where the column's values are strings. */
export const sendsText = (rule: ColumnRule): boolean => rule._tag === "PerValue" || rule.type === "string"

// A JSON number literal: the only number texts `auto` reads ("007", "+1", ".5", "1." stay text).
const NUMBER_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** A number text as `auto` reads it: the number, or why it is not one JSON carries exactly. */
export const numberFromText = (text: string): number | "not-a-number" | "inexact" => {
  if (!NUMBER_LITERAL.test(text)) return "not-a-number"
  return exactNumber(text) ?? "inexact"
}

const describe = (raw: unknown): string => {
  const text = typeof raw === "string" ? raw : typeof raw === "bigint" ? raw.toString() : (JSON.stringify(raw) ?? String(raw))
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
}

/** How to give the column's type as a flag, quoted for a shell when the name needs it. */
const columnFlag = (column: string, type: string): string =>
  /^[\w.-]+$/.test(column) ? `--column ${column}=${type}` : `--column '${column.replace(/'/g, "'\\''")}=${type}'`

const ok = (value: unknown): Converted => ({ ok: true, value })

/** A value that does not fit its column's decided type: the reason names the column, the type and the way out. */
const misfit = (column: string, rule: DecidedColumn, value: string, broken: string): Converted => ({
  ok: false,
  reason: `column "${column}" is typed ${rule.type} (${rule.basis}); ${value} ${broken} — use ${columnFlag(column, "string")} to send it as text`,
  rule: { broken, decided: { type: rule.type, basis: rule.basis } }
})

/** A value of a column decided `number`. */
const decidedNumber = (raw: unknown, column: string, rule: DecidedColumn): Converted => {
  switch (typeof raw) {
    case "number":
      return Number.isFinite(raw) ? ok(raw) : misfit(column, rule, String(raw), "is not a number JSON can carry")
    case "bigint":
      return raw >= BigInt(Number.MIN_SAFE_INTEGER) && raw <= BigInt(Number.MAX_SAFE_INTEGER)
        ? ok(Number(raw))
        : misfit(column, rule, String(raw), "has more digits than a JSON number carries exactly")
    case "string": {
      const value = numberFromText(raw)
      if (typeof value === "number") return ok(value)
      return misfit(column, rule, describe(raw), value === "inexact" ? "has more digits than a JSON number carries exactly" : "is not a number")
    }
    default:
      return misfit(column, rule, describe(raw), "is not a number")
  }
}

/**
 * Converts one raw value by its column's rule. Empty values come back as `EMPTY`, for the caller
 * to omit or send as the spec's `empty` says. A failure's reason names the column.
 */
export const convertColumnValue = (raw: unknown, rule: ColumnRule, column: string): Converted | typeof EMPTY => {
  switch (rule._tag) {
    case "Declared":
    case "PerValue": {
      const converted = convertValue(raw, rule._tag === "Declared" ? rule.type : "auto")
      return converted === EMPTY || converted.ok ? converted : { ...converted, reason: `column "${column}": ${converted.reason}` }
    }
    case "Decided": {
      if (raw === null || raw === undefined || raw === "") return EMPTY
      if (rule.type === "number") return decidedNumber(raw, column, rule)
      if (typeof raw === "string") return ok(raw)
      const converted = convertValue(raw, rule.type === "string" ? "string" : "auto")
      return converted === EMPTY || converted.ok ? converted : { ...converted, reason: `column "${column}": ${converted.reason}` }
    }
  }
}

/**
 * What the non-empty texts of a column's first rows say its type is: `number` when every one is a
 * JSON number literal that a JSON number carries exactly, otherwise `string`. Booleans, dates and
 * JSON documents stay text unless declared (`--column c=boolean`): `auto` changes a file's text
 * only where the text is a number already. Holds a few counters, whatever the sample's size.
 */
export class TextTypeSample {
  private values = 0
  private notNumber: { readonly row: number; readonly text: string } | undefined
  private inexact: { readonly row: number; readonly text: string } | undefined

  add(raw: unknown, row: number): void {
    if (raw === null || raw === undefined || raw === "") return
    this.values++
    if (this.notNumber !== undefined) return
    const text = typeof raw === "string" ? raw : String(raw)
    const value = numberFromText(text)
    if (value === "not-a-number") this.notNumber = { row, text }
    else if (value === "inexact") this.inexact ??= { row, text }
  }

  /** The decision, after `rows` rows (the whole file when it is shorter than the sample). */
  decide(rows: number): DecidedColumn {
    const basis = `decided from the first ${rows} row${rows === 1 ? "" : "s"}`
    if (this.values === 0) return { type: "string", basis, note: "no value to judge by" }
    if (this.notNumber !== undefined) {
      return { type: "string", basis, note: `row ${this.notNumber.row} holds ${describe(this.notNumber.text)}, not a number` }
    }
    if (this.inexact !== undefined) {
      return {
        type: "string",
        basis,
        note: `row ${this.inexact.row} holds ${describe(this.inexact.text)}, more digits than a JSON number carries exactly`
      }
    }
    return { type: "number", basis }
  }
}

/** Rows of a text source (a CSV file) that decide its columns' types. */
export const TYPE_SAMPLE_ROWS = 1000

/** A column's type as a sync sends it, for `preview` and `inspect`. */
export interface ColumnTypeLine {
  readonly column: string
  /** The JSON type of its values: `number`, `string`, ... (`auto (per value)` for a source that decides nothing). */
  readonly type: string
  /** Why: `declared`, `declared numeric(12,2)`, `decided from the first 1000 rows`, `userId` ... */
  readonly basis: string
}

/** The type each column of the source is sent as under `spec`, in the source's column order. */
export const columnTypeLines = (
  spec: Pick<SyncSpec, "columns" | "customerId" | "anonymousId" | "timestamp"> & { readonly groupId?: string | undefined },
  columns: ReadonlyArray<string>,
  types: ColumnTypes | undefined
): ReadonlyArray<ColumnTypeLine> => {
  const ruleOf = columnRules(spec, types)
  return columns.map((column): ColumnTypeLine => {
    if (column === spec.customerId) return { column, type: "string", basis: "userId" }
    if (column === spec.anonymousId) return { column, type: "string", basis: "anonymousId" }
    if (column === spec.groupId) return { column, type: "string", basis: "groupId" }
    if (column === spec.timestamp) return { column, type: "timestamp", basis: "the message's timestamp" }
    const rule = ruleOf(column)
    return { column, type: ruleType(rule), basis: ruleBasis(rule) }
  })
}

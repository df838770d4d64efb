import { EMPTY, isCanonicalNumber } from "./ColumnValue.ts"
import { convertColumnValue } from "./ColumnTyping.ts"
import type { SourceRow } from "../source/RowSource.ts"
import { utf8ByteLength } from "./Utf8.ts"
import type { ColumnPlans, PayloadPlan } from "./ColumnPlans.ts"
import { failure, RowFailure } from "./RowFailure.ts"

/** Objects that `setPath` made itself: the only ones it may write into. */
const madeByPath = new WeakSet<object>()

const setPath = (target: Record<string, unknown>, path: ReadonlyArray<string>, value: unknown): boolean => {
  let node = target
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!
    const next = Object.hasOwn(node, key) ? node[key] : undefined
    if (next === undefined) {
      const child: Record<string, unknown> = {}
      madeByPath.add(child)
      Object.defineProperty(node, key, { value: child, enumerable: true, writable: true, configurable: true })
      node = child
    } else if (typeof next === "object" && next !== null && madeByPath.has(next)) {
      node = next as Record<string, unknown>
    } else return false // a value of the row (a JSON object, a Date): never written into
  }
  const last = path[path.length - 1]!
  if (Object.hasOwn(node, last)) return false
  // defineProperty, not assignment: a column named "__proto__" must stay a plain property.
  Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true })
  return true
}

/** The direct writer met a column only the object path handles. */
const OBJECT_PATH: unique symbol = Symbol("tablecast/object-path")

type Values = SourceRow["values"]

/** The payload as an object (nested, renamed or array-index keys), for `JSON.stringify`. */
const objectPayload = (plans: ColumnPlans, values: Values, payloadPlan: PayloadPlan): Record<string, unknown> | RowFailure => {
  const { excluded, columnPlan, targetPath } = plans
  const result: Record<string, unknown> = {}
  const columns = payloadPlan.columns ?? Object.keys(values)
  for (const column of columns) {
    if (payloadPlan.columns === undefined && excluded.has(column)) continue
    const { rule, emptyJson } = columnPlan(column)
    const converted = convertColumnValue(values[column], rule, column)
    let value: unknown
    if (converted === EMPTY) {
      if (emptyJson === undefined) continue
      value = emptyJson === "null" ? null : ""
    } else if (!converted.ok) return failure(converted.reason, column, converted.rule)
    else value = converted.value
    if (!setPath(result, targetPath(column), value)) {
      return failure(`column "${column}" clashes with another column mapped to "${targetPath(column).join(".")}"`, column)
    }
  }
  return result
}

/** The value JSON.parse gives back for a value's JSON text: the value itself when it is a string, number, boolean or null. */
const parsedBack = (value: unknown, json: string): unknown => {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value
  // -0 is written "0".
  if (typeof value === "number" && Number.isFinite(value)) return value === 0 ? 0 : value
  return JSON.parse(json)
}

/** Takes a payload's values as they are written, each as `JSON.parse` of the text would give it back. */
export interface PayloadValueSink {
  put(key: string, value: unknown): void
}

/**
 * The payload as JSON text, written directly; OBJECT_PATH when a column needs the object path. With
 * `into`, each value also goes to it as `JSON.parse` of the text would give it back (for a tracking
 * plan's check: cheaper than parsing the text again).
 */
const directPayload = (
  plans: ColumnPlans,
  values: Values,
  payloadPlan: PayloadPlan,
  into?: PayloadValueSink
): string | RowFailure | typeof OBJECT_PATH => {
  if (payloadPlan.repeats) return OBJECT_PATH
  const all = payloadPlan.columns === undefined
  const columns = payloadPlan.columns ?? Object.keys(values)
  const columnPlans = all ? plans.plansOf(columns) : plans.plansOfList(payloadPlan, columns)
  let text = ""
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index]!
    const { rule, emptyJson, excluded: isExcluded, keyJson } = columnPlans[index]!
    if (all && isExcluded) continue
    if (keyJson === undefined) return OBJECT_PATH
    const raw = values[column]
    let json: string | undefined
    let value: unknown
    if (
      typeof raw === "string" &&
      raw !== "" &&
      rule._tag !== "Declared" &&
      (rule._tag === "PerValue" || rule.type !== "number" || isCanonicalNumber(raw))
    ) {
      // The usual cases, written as JSON writes them without converting: a canonical number (per
      // value, or in a number column) is its own text; in a column of text, a string is a string.
      const number = rule._tag === "PerValue" ? isCanonicalNumber(raw) : rule.type === "number"
      json = number ? raw : JSON.stringify(raw)
      if (into !== undefined) value = number ? Number(raw) : raw
    } else {
      const converted = convertColumnValue(raw, rule, column)
      if (converted === EMPTY) {
        if (emptyJson === undefined) continue
        json = emptyJson
        if (into !== undefined) value = emptyJson === "null" ? null : ""
      } else if (!converted.ok) return failure(converted.reason, column, converted.rule)
      else {
        json = JSON.stringify(converted.value) as string | undefined
        // A value JSON leaves out of an object (e.g. a toJSON that answers undefined): let it.
        if (json === undefined) return OBJECT_PATH
        if (into !== undefined) value = parsedBack(converted.value, json)
      }
    }
    into?.put(column, value)
    text += text === "" ? `{${keyJson}${json}` : `,${keyJson}${json}`
  }
  return text === "" ? "{}" : `${text}}`
}

/**
 * A payload's JSON text, exactly as `JSON.stringify` would write its object: a payload of
 * top-level keys — the usual case — is written directly, copying canonical numbers as they are;
 * nested, renamed or array-index keys go through an object. `directPayloads: false` sends every
 * payload through an object (the reference the tests compare with).
 */
export const payloadWriter =
  (plans: ColumnPlans, directPayloads: boolean) =>
  (values: Values, payloadPlan: PayloadPlan): string | RowFailure => {
    const written = directPayloads ? directPayload(plans, values, payloadPlan) : OBJECT_PATH
    if (written !== OBJECT_PATH) return written
    const object = objectPayload(plans, values, payloadPlan)
    return object instanceof RowFailure ? object : JSON.stringify(object)
  }

/** A payload's JSON text and the object `JSON.parse` gives back for it, for a check of the message. */
export interface PayloadWithObject {
  readonly json: string
  readonly object: Record<string, unknown>
}

/**
 * As `payloadWriter`, with the payload as an object too: built beside the text on the direct path,
 * parsed back from the text on the object path (nested or renamed keys, where the text is what counts).
 */
export const payloadObjectWriter =
  (plans: ColumnPlans, directPayloads: boolean) =>
  (values: Values, payloadPlan: PayloadPlan): PayloadWithObject | RowFailure => {
    if (directPayloads) {
      const object: Record<string, unknown> = {}
      const sink: PayloadValueSink = {
        put: (key, value) => {
          // Assigned (fast); a column named "__proto__" must stay a plain property, so it is defined.
          if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
          else object[key] = value
        }
      }
      const written = directPayload(plans, values, payloadPlan, sink)
      if (written instanceof RowFailure) return written
      if (written !== OBJECT_PATH) return { json: written, object }
    }
    const built = objectPayload(plans, values, payloadPlan)
    if (built instanceof RowFailure) return built
    const json = JSON.stringify(built)
    return { json, object: JSON.parse(json) as Record<string, unknown> }
  }

/**
 * As `payloadWriter`, each value shown to `into` as it is written, without building an object:
 * undefined when the payload needs the object path (nested, renamed or array-index keys), and `into`
 * may have seen some of its values.
 */
export const payloadSinkWriter =
  (plans: ColumnPlans, directPayloads: boolean) =>
  (values: Values, payloadPlan: PayloadPlan, into: PayloadValueSink): string | RowFailure | undefined => {
    if (!directPayloads) return undefined
    const written = directPayload(plans, values, payloadPlan, into)
    return written === OBJECT_PATH ? undefined : written
  }

/**
 * For an oversized message's reason, worked out only on that path: the payload's largest columns
 * with the bytes each adds (`"notes" 39,800 bytes`), so the user knows what to drop or trim.
 */
export const largestColumns = (excluded: ReadonlySet<string>, values: Values, payloadPlan: PayloadPlan): string => {
  const sizes: Array<[string, number]> = []
  for (const column of payloadPlan.columns ?? Object.keys(values)) {
    if (payloadPlan.columns === undefined && excluded.has(column)) continue
    const value = values[column]
    if (value === undefined || value === null) continue
    let text: string
    try {
      text =
        typeof value === "string"
          ? JSON.stringify(value)
          : (JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) ?? "")
    } catch {
      text = String(value)
    }
    sizes.push([column, utf8ByteLength(JSON.stringify(column)) + 1 + utf8ByteLength(text)])
  }
  if (sizes.length === 0) return ""
  sizes.sort((a, b) => b[1] - a[1])
  const named = sizes.slice(0, 3).map(([column, size]) => `${JSON.stringify(column)} ${String(size).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} bytes`)
  return `; largest column${named.length === 1 ? "" : "s"}: ${named.join(", ")}`
}

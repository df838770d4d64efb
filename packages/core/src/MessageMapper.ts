import { EMPTY, isCanonicalNumber, toIsoTimestamp } from "./ColumnValue.ts"
import { type ColumnRule, columnRules, type ColumnTypes, convertColumnValue, sendsText } from "./ColumnTyping.ts"
import { oneLineError } from "./ErrorText.ts"
import { SegmentLimits } from "./Limits.ts"
import { deterministicMessageId, MESSAGE_ID_PREFIX, repeatKey, repeatMessageId } from "./MessageId.ts"
import { RepeatCounter, type RepeatCounterOptions } from "./RepeatCounter.ts"
import type { SourceRow } from "./RowSource.ts"
import type { SyncSpec } from "./SyncSpec.ts"
import { utf8ByteLength } from "./Utf8.ts"

/** A message ready for a batch: serialized once, measured once. */
export interface BuiltMessage {
  readonly rowNumber: number
  readonly type: "track" | "identify"
  readonly messageId: string
  readonly json: string
  /** UTF-8 bytes of `json`. */
  readonly bytes: number
}

export type MappedRow =
  | {
      readonly ok: true
      readonly messages: ReadonlyArray<BuiltMessage>
      /** A message of the row repeats the content of an earlier row of the run (its id has its occurrence number). */
      readonly repeated: boolean
    }
  | { readonly ok: false; readonly reason: string; readonly column?: string }

export interface LibraryInfo {
  readonly name: string
  readonly version: string
}

/** The namespace of a sync's messageIds: its name, or its call type and event. */
export const syncNamespace = (spec: SyncSpec): string => spec.name ?? `${spec.type}:${spec.event ?? ""}`

/** The columns a spec names explicitly, to check against a source's header before sending. */
export const namedColumns = (spec: SyncSpec): ReadonlyArray<string> => {
  const named = new Set<string>()
  for (const column of [spec.customerId, spec.anonymousId, spec.timestamp, ...(spec.key ?? [])]) {
    if (column !== undefined) named.add(column)
  }
  for (const list of [spec.properties, spec.traits]) {
    if (Array.isArray(list)) for (const column of list) named.add(column)
  }
  return [...named]
}

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

interface PayloadPlan {
  /** Explicit list of columns, or undefined for "all remaining columns". */
  readonly columns: ReadonlyArray<string> | undefined
  /** Whether the list names a column twice (only the object path can report the clash). */
  readonly repeats: boolean
}

/** How one column's value goes into a payload, worked out on first sight of the column. */
interface ColumnPlan {
  /** How its values are converted: a declared type, or `auto` as the source decided it. */
  readonly rule: ColumnRule
  /** What an empty value is written as (`null`, `""`), or undefined to leave it out. */
  readonly emptyJson: string | undefined
  /** Left out of "*" (an id, the timestamp, or excluded). */
  readonly excluded: boolean
  /**
   * `"name":` when the column lands on a top-level key of its own, which the payload can be written
   * with directly; undefined when only an object can place it (a nested or renamed target, a name
   * another column is renamed to, or an array-index name, which JSON writes before the others).
   */
  readonly keyJson: string | undefined
}

/** The direct writer met a column only the object path handles. */
const OBJECT_PATH: unique symbol = Symbol("tablecast/object-path")

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/
const isArrayIndex = (key: string): boolean => ARRAY_INDEX.test(key) && Number(key) < 4_294_967_295

/** A row's refusal. A class, so that a user column named "ok" can never pass for one. */
class RowFailure {
  readonly ok = false as const
  constructor(
    readonly reason: string,
    readonly column?: string
  ) {}
}
const failure = (reason: string, column?: string): RowFailure => new RowFailure(reason, column)

/**
 * Compiles a sync into a function from a row to its Segment messages. Everything that does not
 * depend on the row (column plans, the static context, the namespace) is worked out once here.
 *
 * Each message is written as text, exactly as `JSON.stringify` would write the message object
 * (the messageId hashes that text, so it must never change for an unchanged row). A payload of
 * top-level keys — the usual case — is written directly, copying canonical numbers as they are;
 * nested, renamed or array-index keys go through an object and `JSON.stringify`.
 */
export const compileMapper = (
  spec: SyncSpec,
  library: LibraryInfo,
  options: {
    /** `false` sends every payload through an object: the reference the tests compare with. */
    readonly directPayloads?: boolean
    /**
     * What `auto` means for each column, as the source decided it (`RowSourceShape.columnTypes`); a
     * column it leaves out is converted value by value.
     */
    readonly columnTypes?: ColumnTypes | undefined
    /**
     * `false`: every message keeps the id of its content, identical rows sharing one (scheme 1; what
     * a fingerprint wants, and a worker whose messages the run numbers with `recount`). By default
     * the mapper numbers the occurrences of each content in the order it maps rows (see
     * `MESSAGE_ID_SCHEME`): one compiled mapper per run, rows mapped in source order.
     */
    readonly countRepeats?: boolean
    /** Sizes of the counter's filter and tables (tests make them tiny). */
    readonly repeatCounter?: RepeatCounterOptions
    /**
     * For a run that continues another's rows (a queue chunk of an edge request): how many times
     * each content (by `repeatKey` of its first id) occurred in the rows before this run's. Its
     * occurrences here are numbered on from there, as one run over all the rows would number them.
     */
    readonly repeatsBefore?: ReadonlyMap<string, number> | undefined
  } = {}
) => {
  const directPayloads = options.directPayloads ?? true
  // Keyed messages keep their ids: a key says which rows are the same, and its duplicate rule stands.
  const countRepeats = (options.countRepeats ?? true) && spec.key === undefined
  let counter: RepeatCounter | undefined
  const repeatsBefore = options.repeatsBefore !== undefined && options.repeatsBefore.size > 0 ? options.repeatsBefore : undefined
  /** Set by `number` when a message of the row being mapped repeats an earlier content. */
  let rowRepeated = false
  /** The id of this occurrence of a content whose first occurrence has `firstId`. */
  const number = (firstId: string): string => {
    counter ??= new RepeatCounter(options.repeatCounter)
    let occurrence = counter.nextHex(firstId, MESSAGE_ID_PREFIX.length)
    if (repeatsBefore !== undefined) occurrence += repeatsBefore.get(repeatKey(firstId)) ?? 0
    if (occurrence === 1) return firstId
    rowRepeated = true
    return repeatMessageId(namespace, firstId, occurrence)
  }
  const namespace = syncNamespace(spec)
  const excluded = new Set<string>(spec.exclude)
  for (const column of [spec.customerId, spec.anonymousId, spec.timestamp]) {
    if (column !== undefined) excluded.add(column)
  }
  const targetPaths = new Map<string, ReadonlyArray<string>>()
  const targetPath = (column: string): ReadonlyArray<string> => {
    let path = targetPaths.get(column)
    if (path === undefined) {
      const target = Object.hasOwn(spec.rename, column) ? spec.rename[column]! : column
      path = spec.nest ? target.split(".") : [target]
      if (path.some((part) => part === "")) path = [target]
      if (targetPaths.size >= 10_000) targetPaths.clear()
      targetPaths.set(column, path)
    }
    return path
  }
  const ruleOf = columnRules(spec, options.columnTypes)
  const emptyJsonOf = (rule: ColumnRule): string | undefined =>
    spec.empty === "null" ? "null" : spec.empty === "empty" && sendsText(rule) ? '""' : undefined
  const plan = (list: SyncSpec["properties"]): PayloadPlan =>
    list === "*" ? { columns: undefined, repeats: false } : { columns: list, repeats: new Set(list).size !== list.length }
  const renameTargets = new Set<string>(Object.keys(spec.rename).map((column) => spec.rename[column]!))
  const columnPlans = new Map<string, ColumnPlan>()
  const columnPlan = (column: string): ColumnPlan => {
    let found = columnPlans.get(column)
    if (found === undefined) {
      const direct =
        !Object.hasOwn(spec.rename, column) &&
        !renameTargets.has(column) &&
        targetPath(column).length === 1 &&
        !isArrayIndex(column)
      const rule = ruleOf(column)
      found = {
        rule,
        emptyJson: emptyJsonOf(rule),
        excluded: excluded.has(column),
        keyJson: direct ? `${JSON.stringify(column)}:` : undefined
      }
      // Tables have few columns; loose records (JSON rows) may bring new names on every row.
      if (columnPlans.size >= 10_000) columnPlans.clear()
      columnPlans.set(column, found)
    }
    return found
  }
  const propertiesPlan = plan(spec.properties)
  const traitsPlan = plan(spec.traits ?? spec.properties)

  const context = { ...spec.context, library: { name: library.name, version: library.version } }
  // The static tail of every message, serialized once. It stays out of the messageId's input, so an
  // upgrade of tablecast does not change the ids of unchanged rows.
  const tail =
    `,"context":${JSON.stringify(context)}` +
    (spec.integrations === undefined ? "" : `,"integrations":${JSON.stringify(spec.integrations)}`) +
    `,"messageId":"`

  const idValue = (values: SourceRow["values"], column: string | undefined): string | undefined | RowFailure => {
    if (column === undefined) return undefined
    const raw = values[column]
    if (raw === null || raw === undefined) return undefined
    if (typeof raw === "string") return raw.trim() === "" ? undefined : raw
    if (typeof raw === "number" || typeof raw === "bigint") return String(raw)
    return failure(`column "${column}" holds ${typeof raw === "object" ? "an object" : typeof raw}, not an id`, column)
  }

  const payload = (values: SourceRow["values"], payloadPlan: PayloadPlan): Record<string, unknown> | RowFailure => {
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
      } else if (!converted.ok) return failure(converted.reason, column)
      else value = converted.value
      if (!setPath(result, targetPath(column), value)) {
        return failure(`column "${column}" clashes with another column mapped to "${targetPath(column).join(".")}"`, column)
      }
    }
    return result
  }

  // The rows of a table share their columns: the plans of the last row's columns serve the next
  // row when its column names are the same (the same strings, so each check is one comparison).
  let lastColumns: ReadonlyArray<string> = []
  let lastPlans: ReadonlyArray<ColumnPlan> = []
  const plansOf = (columns: ReadonlyArray<string>): ReadonlyArray<ColumnPlan> => {
    if (columns.length === lastColumns.length) {
      let same = true
      for (let i = 0; i < columns.length; i++) {
        if (columns[i] !== lastColumns[i]) {
          same = false
          break
        }
      }
      if (same) return lastPlans
    }
    lastColumns = columns
    lastPlans = columns.map(columnPlan)
    return lastPlans
  }

  const listedPlans = new Map<PayloadPlan, ReadonlyArray<ColumnPlan>>()
  const listPlans = (payloadPlan: PayloadPlan, columns: ReadonlyArray<string>): ReadonlyArray<ColumnPlan> => {
    const plans = columns.map(columnPlan)
    listedPlans.set(payloadPlan, plans)
    return plans
  }

  /** The payload as JSON text, written directly; OBJECT_PATH when a column needs the object path. */
  const writePayload = (values: SourceRow["values"], payloadPlan: PayloadPlan): string | RowFailure | typeof OBJECT_PATH => {
    if (payloadPlan.repeats) return OBJECT_PATH
    const all = payloadPlan.columns === undefined
    const columns = payloadPlan.columns ?? Object.keys(values)
    const plans = all ? plansOf(columns) : (listedPlans.get(payloadPlan) ?? listPlans(payloadPlan, columns))
    let text = ""
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!
      const { rule, emptyJson, excluded: isExcluded, keyJson } = plans[index]!
      if (all && isExcluded) continue
      if (keyJson === undefined) return OBJECT_PATH
      const raw = values[column]
      let json: string | undefined
      if (typeof raw === "string" && raw !== "" && rule._tag !== "Declared" && (rule._tag === "PerValue" || rule.type !== "number" || isCanonicalNumber(raw))) {
        // The usual cases, written as JSON writes them without converting: a canonical number (per
        // value, or in a number column) is its own text; in a column of text, a string is a string.
        json = rule._tag === "PerValue" ? (isCanonicalNumber(raw) ? raw : JSON.stringify(raw)) : rule.type === "number" ? raw : JSON.stringify(raw)
      } else {
        const converted = convertColumnValue(raw, rule, column)
        if (converted === EMPTY) {
          if (emptyJson === undefined) continue
          json = emptyJson
        } else if (!converted.ok) return failure(converted.reason, column)
        else json = JSON.stringify(converted.value) as string | undefined
        // A value JSON leaves out of an object (e.g. a toJSON that answers undefined): let it.
        if (json === undefined) return OBJECT_PATH
      }
      text += text === "" ? `{${keyJson}${json}` : `,${keyJson}${json}`
    }
    return text === "" ? "{}" : `${text}}`
  }

  const payloadJson = (values: SourceRow["values"], payloadPlan: PayloadPlan): string | RowFailure => {
    const written = directPayloads ? writePayload(values, payloadPlan) : OBJECT_PATH
    if (written !== OBJECT_PATH) return written
    const object = payload(values, payloadPlan)
    return object instanceof RowFailure ? object : JSON.stringify(object)
  }

  const keyOf = (values: SourceRow["values"]): string | undefined =>
    spec.key === undefined
      ? undefined
      : JSON.stringify(
          spec.key.map((column) => values[column] ?? null),
          // A warehouse's BIGINT key arrives as a bigint, which JSON.stringify refuses.
          (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value)
        )

  const eventJson = spec.event === undefined ? "" : `,"event":${JSON.stringify(spec.event)}`

  /**
   * For an oversized message's reason, worked out only on that path: the payload's largest columns
   * with the bytes each adds (`"notes" 39,800 bytes`), so the user knows what to drop or trim.
   */
  const largestColumns = (values: SourceRow["values"], payloadPlan: PayloadPlan): string => {
    const sizes: Array<[string, number]> = []
    for (const column of payloadPlan.columns ?? Object.keys(values)) {
      if (payloadPlan.columns === undefined && excluded.has(column)) continue
      const value = values[column]
      if (value === undefined || value === null) continue
      let text: string
      try {
        text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) ?? "")
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

  /**
   * A message from its text without the closing brace: the body (`open` + "}") is what
   * `JSON.stringify({ type, userId, anonymousId, event, properties | traits, timestamp })` writes,
   * and what the messageId hashes; the message adds the static tail and the id.
   */
  const build = (
    rowNumber: number,
    type: "track" | "identify",
    open: string,
    key: string | undefined,
    values: SourceRow["values"],
    payloadPlan: PayloadPlan
  ): BuiltMessage | RowFailure => {
    const body = `${open}}`
    const contentId = deterministicMessageId(namespace, key === undefined ? body : `${key}\n${body}`)
    const messageId = countRepeats && key === undefined ? number(contentId) : contentId
    const json = `${open}${tail}${messageId}"}`
    const bytes = utf8ByteLength(json)
    if (bytes > SegmentLimits.maxMessageBytes) {
      return failure(
        `${type} message is ${bytes} bytes, over Segment's ${SegmentLimits.maxMessageBytes}-byte limit per message${largestColumns(values, payloadPlan)}`
      )
    }
    return { rowNumber, type, messageId, json, bytes }
  }

  /**
   * `revision` (an incremental sync passes the fingerprint Segment last acknowledged for the key)
   * goes into the messageId: a row that changes back to content sent before is not taken for a
   * duplicate of that earlier message, while a retry of the same change keeps its id.
   */
  const mapRow = (row: SourceRow, revision?: string): MappedRow => {
    const { rowNumber, values } = row
    rowRepeated = false
    const userId = idValue(values, spec.customerId)
    if (userId instanceof RowFailure) return userId
    const anonymousId = idValue(values, spec.anonymousId)
    if (anonymousId instanceof RowFailure) return anonymousId
    if (userId === undefined && anonymousId === undefined) {
      const column = spec.customerId ?? spec.anonymousId!
      return failure(`customer id column "${column}" is empty`, column)
    }
    let timestamp: string | undefined
    if (spec.timestamp !== undefined) {
      const raw = values[spec.timestamp]
      if (raw !== null && raw !== undefined && raw !== "") {
        timestamp = toIsoTimestamp(raw)
        if (timestamp === undefined) {
          return failure(`column "${spec.timestamp}": ${JSON.stringify(String(raw))} is not a timestamp`, spec.timestamp)
        }
      }
    }
    const key = revision === undefined ? keyOf(values) : `${keyOf(values) ?? ""}\u0000${revision}`
    const messages: Array<BuiltMessage> = []
    const ids =
      (userId === undefined ? "" : `,"userId":${JSON.stringify(userId)}`) +
      (anonymousId === undefined ? "" : `,"anonymousId":${JSON.stringify(anonymousId)}`)
    // An ISO timestamp holds nothing JSON escapes.
    const time = timestamp === undefined ? "" : `,"timestamp":"${timestamp}"`

    if (spec.type !== "track") {
      const traits = payloadJson(values, traitsPlan)
      if (traits instanceof RowFailure) return traits
      const built = build(rowNumber, "identify", `{"type":"identify"${ids},"traits":${traits}${time}`, key, values, traitsPlan)
      if (built instanceof RowFailure) return built
      messages.push(built)
    }
    if (spec.type !== "identify") {
      const properties = payloadJson(values, propertiesPlan)
      if (properties instanceof RowFailure) return properties
      const built = build(rowNumber, "track", `{"type":"track"${ids}${eventJson},"properties":${properties}${time}`, key, values, propertiesPlan)
      if (built instanceof RowFailure) return built
      messages.push(built)
    }
    return { ok: true, messages, repeated: rowRepeated }
  }

  /**
   * Numbers the messages of a row built elsewhere with the ids of their content (a worker's mapper
   * compiled with `countRepeats: false`), as if this mapper had built them: call it for those rows
   * in source order, between the rows this mapper maps.
   */
  const recount = (messages: ReadonlyArray<BuiltMessage>): { readonly messages: ReadonlyArray<BuiltMessage>; readonly repeated: boolean } => {
    if (!countRepeats) return { messages, repeated: false }
    rowRepeated = false
    let renumbered: Array<BuiltMessage> | undefined
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index]!
      const messageId = number(message.messageId)
      if (messageId === message.messageId) continue
      renumbered ??= messages.slice()
      // The id is the message's last value, and every id has the same length: the bytes stay the same.
      const json = `${message.json.slice(0, message.json.length - message.messageId.length - 2)}${messageId}"}`
      renumbered[index] = { ...message, messageId, json }
    }
    return { messages: renumbered ?? messages, repeated: rowRepeated }
  }

  // The catch-all: whatever else goes wrong with one row (a value JSON cannot write, a column name
  // nested past the stack) rejects that row with the error's message; it never ends the run.
  const mapRowSafely = (row: SourceRow, revision?: string): MappedRow => {
    try {
      return mapRow(row, revision)
    } catch (error) {
      return failure(`the row could not be mapped: ${oneLineError(error)}`)
    }
  }

  return Object.assign(mapRowSafely, {
    recount,
    /** Whether this mapper numbers repeated contents (unkeyed, `countRepeats` not false). */
    countsRepeats: countRepeats
  })
}

export type MessageMapper = ReturnType<typeof compileMapper>

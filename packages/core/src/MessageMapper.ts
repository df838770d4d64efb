import { convertValue, EMPTY, toIsoTimestamp } from "./ColumnValue.ts"
import { SegmentLimits } from "./Limits.ts"
import { deterministicMessageId } from "./MessageId.ts"
import type { SourceRow } from "./RowSource.ts"
import type { ColumnType, SyncSpec } from "./SyncSpec.ts"
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
  | { readonly ok: true; readonly messages: ReadonlyArray<BuiltMessage> }
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

const setPath = (target: Record<string, unknown>, path: ReadonlyArray<string>, value: unknown): boolean => {
  let node = target
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!
    const next = Object.hasOwn(node, key) ? node[key] : undefined
    if (next === undefined) {
      const child: Record<string, unknown> = {}
      Object.defineProperty(node, key, { value: child, enumerable: true, writable: true, configurable: true })
      node = child
    } else if (typeof next === "object" && next !== null && !Array.isArray(next)) {
      node = next as Record<string, unknown>
    } else return false
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
}

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
 */
export const compileMapper = (spec: SyncSpec, library: LibraryInfo) => {
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
      targetPaths.set(column, path)
    }
    return path
  }
  // Own properties only: a column named "__proto__" or "constructor" must not find Object's.
  const typeOf = (column: string): ColumnType => (Object.hasOwn(spec.columns, column) ? spec.columns[column]! : "auto")
  const plan = (list: SyncSpec["properties"]): PayloadPlan => ({ columns: list === "*" ? undefined : list })
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
      const converted = convertValue(values[column], typeOf(column))
      let value: unknown
      if (converted === EMPTY) {
        if (spec.empty === "omit") continue
        value = null
      } else if (!converted.ok) return failure(`column "${column}": ${converted.reason}`, column)
      else value = converted.value
      if (!setPath(result, targetPath(column), value)) {
        return failure(`column "${column}" clashes with another column mapped to "${targetPath(column).join(".")}"`, column)
      }
    }
    return result
  }

  const keyOf = (values: SourceRow["values"]): string | undefined =>
    spec.key === undefined ? undefined : JSON.stringify(spec.key.map((column) => values[column] ?? null))

  const build = (
    rowNumber: number,
    type: "track" | "identify",
    content: Record<string, unknown>,
    key: string | undefined
  ): BuiltMessage | RowFailure => {
    const body = JSON.stringify(content)
    const messageId = deterministicMessageId(namespace, key === undefined ? body : `${key}\n${body}`)
    const json = `${body.slice(0, -1)}${tail}${messageId}"}`
    const bytes = utf8ByteLength(json)
    if (bytes > SegmentLimits.maxMessageBytes) {
      return failure(
        `${type} message is ${bytes} bytes, over Segment's ${SegmentLimits.maxMessageBytes}-byte limit per message`
      )
    }
    return { rowNumber, type, messageId, json, bytes }
  }

  return (row: SourceRow): MappedRow => {
    const { rowNumber, values } = row
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
    const key = keyOf(values)
    const messages: Array<BuiltMessage> = []
    const ids: Record<string, unknown> = {}
    if (userId !== undefined) ids.userId = userId
    if (anonymousId !== undefined) ids.anonymousId = anonymousId

    if (spec.type !== "track") {
      const traits = payload(values, traitsPlan)
      if (traits instanceof RowFailure) return traits
      const built = build(rowNumber, "identify", { type: "identify", ...ids, traits, timestamp }, key)
      if (built instanceof RowFailure) return built
      messages.push(built)
    }
    if (spec.type !== "identify") {
      const properties = payload(values, propertiesPlan)
      if (properties instanceof RowFailure) return properties
      const built = build(rowNumber, "track", { type: "track", ...ids, event: spec.event, properties, timestamp }, key)
      if (built instanceof RowFailure) return built
      messages.push(built)
    }
    return { ok: true, messages }
  }
}

export type MessageMapper = ReturnType<typeof compileMapper>

import type { CallType, SyncSpec } from "@tablecast/core"

/** What the sample showed of one property of one call: all a plan is written from, in a size that does not grow with the sample. */
export interface PropertyTally {
  /** Messages of the call whose payload holds a value here (not missing, null or ""). */
  present: number
  /** The JSON types of those values (`integer` for whole numbers, `number` for the others). */
  readonly types: Set<string>
  /** The distinct text values, up to the enum's bound plus one (one more says "too many"); empty when no enum is asked for. */
  readonly values: Set<string>
}

// Loose records (JSON rows) name their columns row by row: as `preview`, the first 1,000 names seen.
const MAX_COLUMNS = 1000

/** Where a column lands in a payload: its rename, split on dots when the sync nests (as the mapper places it). */
export const targetPath = (spec: SyncSpec, column: string): ReadonlyArray<string> => {
  const target = Object.hasOwn(spec.rename, column) ? spec.rename[column]! : column
  const path = spec.nest ? target.split(".") : [target]
  return path.some((part) => part === "") ? [target] : path
}

/**
 * The columns a call's payload takes: its list (group calls: `groupTraits`, else the traits), or
 * every column but the ids, the timestamp, the excluded and the listed group traits.
 */
export const payloadColumns = (spec: SyncSpec, call: CallType, columns: Iterable<string>): ReadonlyArray<string> => {
  const traits = spec.traits ?? spec.properties
  const list = call === "track" ? spec.properties : call === "group" ? (spec.groupTraits ?? traits) : traits
  if (list !== "*") return list
  const left = new Set<string | undefined>([...spec.exclude, spec.customerId, spec.anonymousId, spec.groupId, spec.timestamp])
  if (Array.isArray(spec.groupTraits)) for (const column of spec.groupTraits) left.add(column)
  return [...columns].filter((column) => !left.has(column))
}

const jsonTypeOf = (value: unknown): string => {
  if (Array.isArray(value)) return "array"
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number"
  return typeof value
}

/** The value at a path of a payload, or undefined where it is missing, null or "". */
const valueAt = (payload: unknown, path: ReadonlyArray<string>): unknown => {
  let value = payload
  for (const part of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value === null || value === "" ? undefined : value
}

const PAYLOAD_KEY: Record<CallType, "properties" | "traits"> = { track: "properties", identify: "traits", group: "traits" }

/**
 * The sample a tracking plan is written from, kept as aggregates: per call, how many messages;
 * per property, how many held a value, the JSON types seen and (for an enum) at most `enumMax`+1
 * distinct texts. Memory stays the same however many rows are sampled.
 */
export class PlanSample {
  readonly messages: Record<CallType, number> = { track: 0, identify: 0, group: 0 }
  private readonly seen: Set<string>
  private readonly tallies = new Map<CallType, Map<string, PropertyTally>>()
  /** Each call's payload columns with their paths, worked out again only when a new column is seen. */
  private readonly paths = new Map<CallType, ReadonlyArray<readonly [string, ReadonlyArray<string>]>>()

  constructor(
    readonly spec: SyncSpec,
    knownColumns: Iterable<string>,
    /** Distinct texts kept per property: an enum is asked for up to this many. Undefined: none kept. */
    private readonly enumMax: number | undefined
  ) {
    this.seen = new Set(knownColumns)
  }

  /** The columns known or seen in the rows, in the order first met. */
  get columns(): ReadonlyArray<string> {
    return [...this.seen]
  }

  /** Notes the column names of a row (loose records may bring new ones). */
  noteColumns(names: ReadonlyArray<string>): void {
    if (this.seen.size >= MAX_COLUMNS) return
    const before = this.seen.size
    for (const name of names) this.seen.add(name)
    if (this.seen.size !== before) this.paths.clear()
  }

  /** Adds one message (as its JSON text parses) to the aggregates of its call. */
  add(message: Readonly<Record<string, unknown>>): void {
    const call = message.type as CallType
    if (!Object.hasOwn(this.messages, call)) return
    this.messages[call]++
    const payload = message[PAYLOAD_KEY[call]]
    for (const [column, path] of this.pathsOf(call)) {
      const value = valueAt(payload, path)
      if (value === undefined) continue
      const tally = this.tally(call, column)
      tally.present++
      tally.types.add(jsonTypeOf(value))
      if (this.enumMax !== undefined && typeof value === "string" && tally.values.size <= this.enumMax) tally.values.add(value)
    }
  }

  /** What the sample showed of a column in a call's payload (all zero where it never held a value). */
  property(call: CallType, column: string): Readonly<PropertyTally> {
    return this.tallies.get(call)?.get(column) ?? { present: 0, types: new Set(), values: new Set() }
  }

  private pathsOf(call: CallType): ReadonlyArray<readonly [string, ReadonlyArray<string>]> {
    let paths = this.paths.get(call)
    if (paths === undefined) {
      // A column listed twice is still one property.
      paths = [...new Set(payloadColumns(this.spec, call, this.seen))].map((column) => [column, targetPath(this.spec, column)] as const)
      this.paths.set(call, paths)
    }
    return paths
  }

  private tally(call: CallType, column: string): PropertyTally {
    let byColumn = this.tallies.get(call)
    if (byColumn === undefined) {
      byColumn = new Map()
      this.tallies.set(call, byColumn)
    }
    let tally = byColumn.get(column)
    if (tally === undefined) {
      tally = { present: 0, types: new Set(), values: new Set() }
      byColumn.set(column, tally)
    }
    return tally
  }
}

import { callsOf, type CallType, type SyncSpec } from "@tablecast/core"
import { type PlanSample, payloadColumns, type PropertyTally, targetPath } from "./TrackingPlanSample.ts"

/** A column as `preview` says it is sent (`ColumnTypeLine`): its JSON type and what decided it. */
export interface SentColumn {
  readonly column: string
  /** `number`, `integer`, `string`, `boolean`, `json`, `timestamp`, `date`, `array`, or `auto (per value)`. */
  readonly type: string
  /** `declared`, `declared integer`, `decided from the first 1000 rows`, `userId` ... */
  readonly basis: string
}

/** What a plan is written from: the sync, how its columns are sent, what the messages of its first rows showed. */
export interface PlanMaterial {
  readonly spec: SyncSpec
  readonly columns: ReadonlyArray<SentColumn>
  /** The aggregates of the messages the first rows map to. */
  readonly sample: PlanSample
  /** Columns the source or the model's project declares never empty (NOT NULL, dbt not_null). */
  readonly notNull: ReadonlySet<string>
  /** Text columns with at most this many distinct values in the sample get an `enum`; undefined: none. */
  readonly enumMax?: number | undefined
}

type JsonSchema = Record<string, unknown>

/** A rule in Segment's Public API format, as its tracking plan rules are listed. */
export interface WrittenRule {
  readonly type: "TRACK" | "IDENTIFY" | "GROUP"
  readonly key?: string
  readonly version: number
  readonly jsonSchema: JsonSchema
}

export interface WrittenPlan {
  readonly rules: ReadonlyArray<WrittenRule>
}

// An SQL integer type, or a NUMERIC/NUMBER/DECIMAL of scale 0: its values are whole numbers.
const INTEGER_DECLARED =
  /^declared (?:(?:tiny|small|medium|big|huge|u?tiny|u?small|u?big|u)?int(?:eger)?(?:\d+)?|int[1248]|(?:numeric|number|decimal)\s*\(\s*\d+\s*(?:,\s*0\s*)?\))$/i

/** The JSON types a column's declared or decided type gives its values; undefined where only the values tell. */
const declaredTypes = (column: SentColumn | undefined): ReadonlyArray<string> | undefined => {
  if (column === undefined) return undefined
  switch (column.type) {
    case "integer":
      return ["integer"]
    case "number":
      // The basis may go on with a note ("declared bigint; a value of over 15 significant digits ...").
      return INTEGER_DECLARED.test(column.basis.split(";")[0]!.trim()) ? ["integer"] : ["number"]
    case "string":
    case "timestamp":
    case "date":
      return ["string"]
    case "boolean":
      return ["boolean"]
    case "array":
      return ["array"]
    default:
      // json, auto per value, an id or timestamp column listed as a property: as its values are.
      return undefined
  }
}

/** The types with the observed ones added where they do not already cover them (number covers integer). */
const withObserved = (types: ReadonlyArray<string>, observed: ReadonlySet<string>): Array<string> => {
  const all = [...types]
  for (const type of observed) {
    if (all.includes(type)) continue
    if (type === "integer" && all.includes("number")) continue
    if (type === "number" && all.includes("integer")) all.splice(all.indexOf("integer"), 1)
    all.push(type)
  }
  return all
}

/** The schema of one property: its types, null where it may be empty, and its values where few and asked for. */
const leafSchema = (input: {
  readonly column: SentColumn | undefined
  readonly tally: Readonly<PropertyTally>
  readonly nullable: boolean
  readonly enumMax: number | undefined
}): JsonSchema => {
  const declared = declaredTypes(input.column)
  const types = withObserved(declared ?? [], input.tally.types)
  const schema: JsonSchema = {}
  if (input.column !== undefined) schema.description = `from column ${input.column.column}`
  if (types.length > 0) {
    const withNull = input.nullable ? [...types, "null"] : types
    schema.type = withNull.length === 1 ? withNull[0] : withNull
  }
  // A warehouse's timestamps and dates go as ISO-8601 text (`2026-11-27T03:00:00.000Z`, `2026-11-27`).
  const format = input.column?.type === "timestamp" ? "date-time" : input.column?.type === "date" ? "date" : undefined
  if (format !== undefined && types.length === 1) schema.format = format
  if (input.enumMax !== undefined && types.length === 1 && types[0] === "string") {
    // Only text values were seen (the type is string alone), at most enumMax + 1 of them kept.
    const distinct = [...input.tally.values].sort()
    // Low cardinality: few values, each seen more than once on average (not a column of ids).
    if (distinct.length > 0 && distinct.length <= input.enumMax && distinct.length < input.tally.present) {
      schema.enum = input.nullable ? [...distinct, null] : distinct
    }
  }
  return schema
}

interface Node {
  readonly children: Map<string, Node>
  leaf?: JsonSchema
  required: boolean
}

const objectSchema = (node: Node): JsonSchema => {
  const properties: Record<string, JsonSchema> = {}
  const required: Array<string> = []
  for (const [name, child] of node.children) {
    properties[name] = child.leaf ?? objectSchema(child)
    if (child.required) required.push(name)
  }
  return { type: "object", properties, ...(required.length === 0 ? {} : { required }) }
}

const RULE_TYPES: Record<CallType, WrittenRule["type"]> = { track: "TRACK", identify: "IDENTIFY", group: "GROUP" }

/** The rule of one call: the payload's schema from the columns it takes and what the sample showed of them. */
const ruleOf = (material: PlanMaterial, call: CallType): WrittenRule => {
  const payloadKey = call === "track" ? "properties" : "traits"
  const messages = material.sample.messages[call]
  const byName = new Map(material.columns.map((column) => [column.column, column]))
  const root: Node = { children: new Map(), required: false }
  const columns = material.columns.map((column) => column.column)
  for (const column of payloadColumns(material.spec, call, columns)) {
    const path = targetPath(material.spec, column)
    const tally = material.sample.property(call, column)
    // Required: never empty in the rows sampled; with no row sampled, what the source declares.
    const required = messages > 0 ? tally.present === messages : material.notNull.has(column)
    const nullable = tally.present < messages || (messages === 0 && !material.notNull.has(column))
    let node = root
    for (const part of path) {
      let child = node.children.get(part)
      if (child === undefined) {
        child = { children: new Map(), required: false }
        node.children.set(part, child)
      }
      if (required) child.required = true
      node = child
    }
    node.leaf = leafSchema({ column: byName.get(column), tally, nullable, enumMax: material.enumMax })
  }
  const payload = objectSchema(root)
  const jsonSchema: JsonSchema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: { [payloadKey]: payload },
    required: [payloadKey]
  }
  return {
    type: RULE_TYPES[call],
    ...(call === "track" && material.spec.event !== undefined ? { key: material.spec.event } : {}),
    version: 1,
    jsonSchema
  }
}

/**
 * A tracking plan, in Segment's Public API rules format, that the sync's messages satisfy: one rule
 * per call (TRACK with the event, IDENTIFY and GROUP for traits), each property typed from its
 * column's declared or decided type, required where never empty in the rows sampled, `null`
 * allowed where empty, and an `enum` for few-valued text columns when asked.
 */
export const writeTrackingPlan = (material: PlanMaterial): WrittenPlan => ({
  rules: callsOf(material.spec.type).map((call) => ruleOf(material, call))
})

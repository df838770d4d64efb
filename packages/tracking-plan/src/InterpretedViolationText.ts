import type { OutputUnit } from "@cfworker/json-schema"
import { duplicatePair } from "./DuplicateItems.js"
import { jsonType, shown } from "./ViolationText.js"

// The texts of ViolationText.ts (the Ajv path), said from @cfworker/json-schema's output units: the two
// checkers must word a violation alike. `jsonType`, `shown` and `typeNames` repeat ViolationText's on
// purpose: that file reads Ajv's types, which this entry must not load.

type Json = Readonly<Record<string, unknown>>

/** "#/properties/churn%20score" → ["properties", "churn score"]: the validator URI-encodes, then escapes `~` and `/`. */
const segmentsOf = (location: string): ReadonlyArray<string> => {
  const pointer = location.startsWith("#") ? location.slice(1) : location
  if (pointer === "") return []
  return pointer
    .slice(1)
    .split("/")
    .map((part) => {
      let decoded = part
      try {
        decoded = decodeURIComponent(part)
      } catch {
        // Not percent-encoded after all: the part as it is.
      }
      return decoded.replaceAll("~1", "/").replaceAll("~0", "~")
    })
}

const dotted = (segments: ReadonlyArray<string>): string => segments.join(".")

const join = (parent: string, child: string): string => (parent === "" ? child : `${parent}.${child}`)

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null

/** The value a pointer names in `root`; undefined when it names nothing. */
const valueAt = (root: unknown, segments: ReadonlyArray<string>): unknown => {
  let node = root
  for (const segment of segments) {
    if (!isObject(node) || !Object.hasOwn(node, segment)) return undefined
    node = (node as Json)[segment]
  }
  return node
}

/**
 * The schema object a keyword location stands in: the location is the path the validator took, so a
 * `$ref` segment is followed to a local target ("#/definitions/x"). Undefined past a remote reference.
 */
const schemaAt = (root: unknown, segments: ReadonlyArray<string>): Json | undefined => {
  let node = root
  for (const segment of segments) {
    if (!isObject(node)) return undefined
    if (segment === "$ref") {
      const ref = (node as Json).$ref
      if (typeof ref !== "string" || !ref.startsWith("#")) return undefined
      node = valueAt(root, segmentsOf(ref))
    } else node = (node as Json)[segment]
  }
  return isObject(node) ? node : undefined
}

/** Keywords whose units only say "a subschema failed": the subschema's own units say how. Ajv reports none of them. */
const containers = new Set([
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedItems",
  "allOf",
  "$ref",
  "$recursiveRef",
  "dependentSchemas",
  "propertyNames"
])

const bound = (keyword: string, limit: unknown, draft4Exclusive: boolean): string | undefined => {
  switch (keyword) {
    case "minimum":
      return `must be ${draft4Exclusive ? ">" : ">="} ${String(limit)}`
    case "maximum":
      return `must be ${draft4Exclusive ? "<" : "<="} ${String(limit)}`
    case "exclusiveMinimum":
      return `must be > ${String(limit)}`
    case "exclusiveMaximum":
      return `must be < ${String(limit)}`
    case "multipleOf":
      return `must be multiple of ${String(limit)}`
    case "minLength":
      return `must NOT have fewer than ${String(limit)} characters`
    case "maxLength":
      return `must NOT have more than ${String(limit)} characters`
    case "minItems":
      return `must NOT have fewer than ${String(limit)} items`
    case "maxItems":
      return `must NOT have more than ${String(limit)} items`
    case "minProperties":
      return `must NOT have fewer than ${String(limit)} properties`
    case "maxProperties":
      return `must NOT have more than ${String(limit)} properties`
    case "pattern":
      return `must match pattern ${JSON.stringify(limit)}`
    case "format":
      return `must match format ${JSON.stringify(limit)}`
    default:
      return undefined
  }
}

/** What a keyword (not a bound) demands, as Ajv says it. */
const demand = (unit: OutputUnit, schema: Json | undefined, value: unknown): string => {
  switch (unit.keyword) {
    case "const":
      return "must be equal to constant"
    case "anyOf":
      return "must match a schema in anyOf"
    case "oneOf":
      return "must match exactly one schema in oneOf"
    case "not":
      return "must NOT be valid"
    case "if":
      return unit.error.includes('"else"') ? 'must match "else" schema' : 'must match "then" schema'
    case "uniqueItems": {
      const pair = Array.isArray(value) ? duplicatePair(value, schema?.items) : undefined
      return pair === undefined
        ? "must NOT have duplicate items"
        : `must NOT have duplicate items (items ## ${pair.j} and ${pair.i} are identical)`
    }
    case "contains":
    case "minContains":
    case "maxContains":
      return "must contain valid items"
    case "false":
      return "boolean schema is false"
    default: {
      const limit = schema?.[unit.keyword]
      return bound(unit.keyword, limit, false) ?? unit.error
    }
  }
}

/** One violation as tablecast says it: the property path and the whole text (without the rule). */
export interface InterpretedViolation {
  readonly path: string
  readonly text: string
}

/**
 * The violations of a message from the validator's units (validated with every error listed): one per
 * failing leaf keyword, as Ajv's path words it. `schema` is the root schema the units' locations start at;
 * `quoteValues: false` tells the failing value by its JSON type only.
 */
export const interpretedViolations = (
  units: ReadonlyArray<OutputUnit>,
  message: unknown,
  schema: Json,
  options: { readonly draft4: boolean; readonly quoteValues: boolean }
): Array<InterpretedViolation> => {
  const { draft4, quoteValues } = options
  // "got 1.5" or, where values may not be told (they may be personal data), "got number".
  const told = quoteValues ? shown : jsonType
  const found: Array<InterpretedViolation> = []
  for (let index = 0; index < units.length; index++) {
    const unit = units[index]!
    const at = segmentsOf(unit.instanceLocation)
    const path = dotted(at)
    const next = units[index + 1]
    // `additionalProperties: false`: the container's unit, then a "false" unit at the property itself.
    if (unit.keyword === "additionalProperties" && next?.keyword === "false" && next.instanceLocation.startsWith(`${unit.instanceLocation}/`)) {
      const extra = dotted(segmentsOf(next.instanceLocation))
      found.push({ path: extra, text: `${extra}: not in the plan (no additional properties allowed)` })
      index++
      continue
    }
    if (containers.has(unit.keyword)) continue
    // A property another one needs: the name of both from the validator's text; a schema dependency's
    // own units say how it failed.
    if (unit.keyword === "dependencies" || unit.keyword === "dependentRequired") {
      const needed = /has "([\s\S]*)" but does not have "([\s\S]*)"\.$/.exec(unit.error)
      if (needed !== null)
        found.push({
          path,
          text: `${path || "message"}: must have property ${needed[2]} when property ${needed[1]} is present, got ${told(valueAt(message, at))}`
        })
      continue
    }
    const value = valueAt(message, at)
    const where = path || "message"
    const keywordSchema = schemaAt(schema, segmentsOf(unit.keywordLocation).slice(0, -1))
    switch (unit.keyword) {
      case "required": {
        const name = /required property "([\s\S]*)"\.$/.exec(unit.error)?.[1] ?? ""
        const missing = join(path, name)
        found.push({ path: missing, text: `${missing}: required property missing` })
        break
      }
      case "type": {
        // Past a remote $ref the schema is not at hand: the validator's own text names the types.
        const type = keywordSchema?.type ?? /Expected "([\s\S]*)"\.$/.exec(unit.error)?.[1]?.split('", "')
        const names = Array.isArray(type) ? type.map(String) : [String(type)]
        found.push({ path, text: `${where}: must be ${names.join(" or ")}, got ${jsonType(value)}` })
        break
      }
      case "enum": {
        const allowed = Array.isArray(keywordSchema?.enum) ? keywordSchema.enum.map((item) => JSON.stringify(item)).join(", ") : ""
        found.push({ path, text: `${where}: must be one of ${allowed}, got ${told(value)}` })
        break
      }
      case "minimum":
      case "maximum": {
        // Draft-04's boolean exclusive bound is a strict bound, as the Ajv path (which rewrites draft-04) says it.
        const exclusive = draft4 && keywordSchema?.[unit.keyword === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true
        found.push({ path, text: `${where}: ${bound(unit.keyword, keywordSchema?.[unit.keyword], exclusive)}, got ${told(value)}` })
        break
      }
      default:
        found.push({ path, text: `${where}: ${demand(unit, keywordSchema, value)}, got ${told(value)}` })
    }
  }
  return found
}

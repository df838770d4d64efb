import type { Dialect } from "./UsableSchema.js"

type Json = Readonly<Record<string, unknown>>
type Schema = Json | boolean

/** What all the messages one call of a sync builds share, known before any row (as @tablecast/core's `MessageShape`). */
export interface MessageShape {
  readonly type: string
  /** Members every message carries with these values: `type`, `event`, `context`, `integrations`. */
  readonly fixed: Readonly<Record<string, unknown>>
  /** Members a row gives when it has a value for them: `userId`, `anonymousId`, `groupId`, `timestamp`, `messageId`. */
  readonly varying: ReadonlyArray<string>
  /** The member holding the payload object: `properties` or `traits`. */
  readonly payload: string
}

/** Whether one value keeps its part of the plan. */
export type ValueTest = (value: unknown) => boolean

/**
 * A plan's rules taken apart for one shape of message (as @tablecast/core's `ShapeCheck`): a message of
 * the shape whose values pass these tests, and which has the required members and keys, keeps the
 * plan — the whole check would find nothing, and say `unplanned`.
 */
export interface ShapeCheck {
  readonly unplanned: boolean
  readonly member: (name: string) => ValueTest | undefined
  readonly requiredMembers: ReadonlyArray<string>
  readonly payloadKey: (key: string) => ValueTest | undefined
  readonly requiredPayloadKeys: ReadonlyArray<string>
}

/** Compiles a part of a rule's schema alone, in the rule's dialect, as a test; throws when it cannot. */
export type PartTest = (dialect: Dialect, part: Json) => ValueTest

const NO_CONTEXT = Object.freeze({ instancePath: "", rootData: undefined })

/** The check function of an Ajv validator: pass or fail, nothing else. */
export const asTest = (validate: (value: unknown, context?: never) => unknown): ValueTest => {
  // Ajv's functions take their context as a second argument with a default: a constant one spares an
  // object per call.
  const context = NO_CONTEXT as never
  return (value) => validate(value, context) === true
}

/** How a part's test is named among portable tests: its dialect and its schema's JSON text. */
export const partKey = (dialect: Dialect, part: Json): string => `${dialect} ${JSON.stringify(part)}`

/** A rule's schema as Ajv compiles it (`usableSchema`), with its dialect. */
export interface UsableRule {
  readonly dialect: Dialect
  readonly schema: Json
}

// Keywords that judge an object as a whole, beyond each member's own schema: a message or payload
// schema that uses one is not taken apart (its messages all go to the whole check).
const WHOLE_OBJECT_KEYWORDS = [
  "enum",
  "const",
  "patternProperties",
  "minProperties",
  "maxProperties",
  "propertyNames",
  "dependencies",
  "dependentRequired",
  "dependentSchemas",
  "unevaluatedProperties",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
  "$async"
] as const

// A part that refers to the rest of its schema cannot be compiled alone.
const REFERENCES = new Set(["$ref", "$dynamicRef", "$recursiveRef"])

const refersAnywhere = (node: unknown): boolean => {
  if (Array.isArray(node)) return node.some(refersAnywhere)
  if (typeof node !== "object" || node === null) return false
  for (const [key, value] of Object.entries(node)) if (REFERENCES.has(key) || refersAnywhere(value)) return true
  return false
}

/** An object schema's members: each named member's schema, the schema of any other, the required names. */
interface ObjectParts {
  readonly properties: Json
  /** `additionalProperties`; undefined when any other member passes. */
  readonly additional: Schema | undefined
  readonly required: ReadonlyArray<string>
}

const isJson = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

/** The members of an object schema that judges nothing but its members; undefined for any other. */
const objectParts = (schema: unknown): ObjectParts | undefined => {
  if (schema === true) return { properties: {}, additional: undefined, required: [] }
  if (!isJson(schema) || WHOLE_OBJECT_KEYWORDS.some((keyword) => Object.hasOwn(schema, keyword))) return undefined
  const { type, properties = {}, required = [], additionalProperties } = schema
  if (type !== undefined && type !== "object" && !(Array.isArray(type) && type.includes("object"))) return undefined
  if (!isJson(properties) || !Array.isArray(required) || !required.every((name) => typeof name === "string")) return undefined
  if (additionalProperties !== undefined && typeof additionalProperties !== "boolean" && !isJson(additionalProperties)) return undefined
  return { properties, additional: additionalProperties === true ? undefined : additionalProperties, required: [...new Set(required)] }
}

const memberSchema = (parts: ObjectParts, name: string): unknown =>
  Object.hasOwn(parts.properties, name) ? parts.properties[name] : parts.additional

const NEVER: ValueTest = () => false

/** One rule taken apart: tests by member and payload key, and what must be present. */
interface RuleParts {
  readonly members: ReadonlyMap<string, ValueTest>
  readonly requiredMembers: ReadonlyArray<string>
  readonly payloadKey: (key: string) => ValueTest | undefined
  readonly requiredPayloadKeys: ReadonlyArray<string>
}

/**
 * A rule taken apart for a shape, each part compiled alone in the rule's dialect; undefined when the rule
 * judges the message or its payload as a whole, refers within itself, or fails on a fixed member (then
 * every message of the shape goes to the whole check, which names the violations).
 */
const ruleParts = (rule: UsableRule, shape: MessageShape, partTest: PartTest): RuleParts | undefined => {
  if (refersAnywhere(rule.schema)) return undefined
  const message = objectParts(rule.schema)
  if (message === undefined) return undefined
  const testOf = (schema: unknown): ValueTest | undefined => {
    if (schema === undefined || schema === true) return undefined
    if (schema === false) return NEVER
    return isJson(schema) ? partTest(rule.dialect, schema) : NEVER
  }
  for (const [name, value] of Object.entries(shape.fixed)) {
    const test = testOf(memberSchema(message, name))
    if (test !== undefined && !test(value)) return undefined
  }
  const requiredMembers: Array<string> = []
  for (const name of message.required) {
    if (Object.hasOwn(shape.fixed, name) || name === shape.payload) continue
    if (!shape.varying.includes(name)) return undefined
    requiredMembers.push(name)
  }
  const members = new Map<string, ValueTest>()
  for (const name of shape.varying) {
    const test = testOf(memberSchema(message, name))
    if (test !== undefined) members.set(name, test)
  }
  const payloadSchema = memberSchema(message, shape.payload)
  const payload = objectParts(payloadSchema ?? true)
  if (payload === undefined) return undefined
  const keyTests = new Map<string, ValueTest | undefined>()
  for (const key of Object.keys(payload.properties)) keyTests.set(key, testOf(payload.properties[key]))
  const otherKeys = testOf(payload.additional)
  return {
    members,
    requiredMembers,
    payloadKey: (key) => (keyTests.has(key) ? keyTests.get(key) : otherKeys),
    requiredPayloadKeys: payload.required
  }
}

const both = (first: ValueTest | undefined, second: ValueTest | undefined): ValueTest | undefined =>
  first === undefined ? second : second === undefined ? first : (value) => first(value) && second(value)

/**
 * The plan's rule for a shape and its common rule, taken apart together (`ShapeCheck`); undefined when
 * either cannot be, or a part does not compile alone.
 */
export const shapeCheckOf = (
  rule: UsableRule | undefined,
  common: UsableRule | undefined,
  shape: MessageShape,
  partTest: PartTest
): ShapeCheck | undefined => {
  try {
    const parts: Array<RuleParts> = []
    for (const part of [rule, common]) {
      if (part === undefined) continue
      const taken = ruleParts(part, shape, partTest)
      if (taken === undefined) return undefined
      parts.push(taken)
    }
    const [first, second] = parts
    return {
      unplanned: rule === undefined && shape.type === "track",
      member: (name) => both(first?.members.get(name), second?.members.get(name)),
      requiredMembers: [...new Set(parts.flatMap((part) => part.requiredMembers))],
      payloadKey: (key) => both(first?.payloadKey(key), second?.payloadKey(key)),
      requiredPayloadKeys: [...new Set(parts.flatMap((part) => part.requiredPayloadKeys))]
    }
  } catch {
    // A part that will not compile alone (a nested `$id` met twice, say) or has no test: the whole check judges.
    return undefined
  }
}

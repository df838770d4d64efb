import type { TrackingPlan, TrackingPlanCall, TrackingPlanRule } from "./TrackingPlan.js"
import { TrackingPlanError } from "./TrackingPlanError.js"

type Json = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const describe = (value: unknown): string => (value === null ? "null" : Array.isArray(value) ? "an array" : typeof value)

/** Public API rule types tablecast checks; PAGE and SCREEN rules are skipped (tablecast sends neither). */
const publicApiCalls: Readonly<Record<string, TrackingPlanCall | "common" | "skip">> = {
  TRACK: "track",
  IDENTIFY: "identify",
  GROUP: "group",
  COMMON: "common",
  PAGE: "skip",
  SCREEN: "skip"
}

const version = (value: unknown, fail: (field: string, reason: string) => never): number | undefined => {
  if (value === undefined || value === null) return undefined
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    return fail("version", `must be a positive whole number, got ${JSON.stringify(value)}`)
  }
  return value
}

const schema = (value: unknown, field: string, fail: (field: string, reason: string) => never): Json => {
  if (!isObject(value)) return fail(field, `the rule's JSON Schema must be an object, got ${describe(value)}`)
  return value
}

const eventName = (value: unknown, field: string, fail: (field: string, reason: string) => never): string => {
  if (typeof value !== "string" || value.trim() === "") {
    return fail(field, `a track rule needs its event name, got ${JSON.stringify(value) ?? "nothing"}`)
  }
  return value
}

const failer =
  (origin: string, rule: string) =>
  (field: string, reason: string): never => {
    throw new TrackingPlanError({ origin, rule, field, reason })
  }

const noDuplicates = (origin: string, rules: ReadonlyArray<TrackingPlanRule>): void => {
  const seen = new Map<string, string | undefined>()
  for (const rule of rules) {
    const key = JSON.stringify([rule.call, rule.event ?? null, rule.version ?? null])
    if (seen.has(key)) {
      throw new TrackingPlanError({
        origin,
        ...(rule.at === undefined ? {} : { rule: rule.at }),
        reason: `the same rule appears twice (first at ${seen.get(key) ?? "an earlier rule"})`
      })
    }
    seen.set(key, rule.at)
  }
}

/** `{"rules": [{"type": "TRACK", "key": ..., "version": ..., "jsonSchema": {...}}, ...]}` (Segment's Public API). */
const parsePublicApi = (rules: ReadonlyArray<unknown>, origin: string, name: string | undefined): TrackingPlan => {
  const parsed: Array<TrackingPlanRule> = []
  let common: Json | undefined
  for (const [index, raw] of rules.entries()) {
    const at = `rules[${index}]`
    const fail = failer(origin, at)
    if (!isObject(raw)) fail("type", `each rule must be an object, got ${describe(raw)}`)
    const rule = raw as Json
    const kind = typeof rule.type === "string" ? publicApiCalls[rule.type.toUpperCase()] : undefined
    if (kind === undefined) {
      fail("type", `unknown rule type ${JSON.stringify(rule.type)} (expected TRACK, IDENTIFY, GROUP or COMMON)`)
    }
    if (kind === "skip" || kind === undefined) continue
    const jsonSchema = schema(rule.jsonSchema, "jsonSchema", fail)
    if (kind === "common") {
      common = jsonSchema
      continue
    }
    const ruleVersion = version(rule.version, fail)
    parsed.push({
      call: kind,
      ...(kind === "track" ? { event: eventName(rule.key, "key", fail) } : {}),
      ...(ruleVersion === undefined ? {} : { version: ruleVersion }),
      jsonSchema,
      at
    })
  }
  noDuplicates(origin, parsed)
  return {
    format: "public-api",
    ...(name === undefined ? {} : { name }),
    rules: parsed,
    ...(common === undefined ? {} : { common })
  }
}

/** An identify/group/global schema of the Config API: absent or `{}` means no rule. */
const traitsRule = (value: unknown, field: string, origin: string): Json | undefined => {
  if (value === undefined || value === null) return undefined
  const jsonSchema = schema(value, field, failer(origin, "rules"))
  return Object.keys(jsonSchema).length === 0 ? undefined : jsonSchema
}

/** `{"rules": {"events": [{"name", "version", "rules"}], "identify": {...}, "group": {...}, "global": {...}}}`. */
const parseConfigApi = (rules: Json, origin: string, name: string | undefined): TrackingPlan => {
  const events = rules.events ?? []
  if (!Array.isArray(events)) {
    throw new TrackingPlanError({ origin, rule: "rules", field: "events", reason: `must be a list, got ${describe(events)}` })
  }
  const parsed: Array<TrackingPlanRule> = events.map((raw: unknown, index) => {
    const at = `rules.events[${index}]`
    const fail = failer(origin, at)
    if (!isObject(raw)) return fail("name", `each event must be an object, got ${describe(raw)}`)
    const nameField = raw.name !== undefined ? "name" : "key"
    const schemaField = raw.rules !== undefined ? "rules" : "jsonSchema"
    const ruleVersion = version(raw.version, fail)
    return {
      call: "track",
      event: eventName(raw[nameField], nameField, fail),
      ...(ruleVersion === undefined ? {} : { version: ruleVersion }),
      jsonSchema: schema(raw[schemaField], schemaField, fail),
      at
    }
  })
  for (const call of ["identify", "group"] as const) {
    const jsonSchema = traitsRule(rules[call], call, origin)
    if (jsonSchema !== undefined) parsed.push({ call, jsonSchema, at: `rules.${call}` })
  }
  noDuplicates(origin, parsed)
  const common = traitsRule(rules.global, "global", origin)
  return {
    format: "config-api",
    ...(name === undefined ? {} : { name }),
    rules: parsed,
    ...(common === undefined ? {} : { common })
  }
}

const planName = (json: Json): string | undefined => {
  for (const field of ["display_name", "name"]) {
    const value = json[field]
    if (typeof value === "string" && value !== "") return value
  }
  return undefined
}

/**
 * Parses a tracking plan in either of Segment's shapes: the Public API's rules (`{"rules": [...]}`, also inside its
 * response envelope `{"data": {"rules": [...]}}`) or the Config API's tracking plan (`{"rules": {"events": [...]}}`).
 * Throws a TrackingPlanError naming `origin` (the file), the rule and the field at fault.
 */
export const parseTrackingPlan = (json: unknown, origin: string): TrackingPlan => {
  const root = isObject(json) && isObject(json.data) && Array.isArray(json.data.rules) ? json.data : json
  if (!isObject(root)) {
    throw new TrackingPlanError({ origin, reason: `a tracking plan is a JSON object, got ${describe(root)}` })
  }
  const name = planName(root)
  if (Array.isArray(root.rules)) return parsePublicApi(root.rules, origin, name)
  if (isObject(root.rules)) return parseConfigApi(root.rules, origin, name)
  throw new TrackingPlanError({
    origin,
    reason:
      'unknown shape: expected Segment\'s Public API rules {"rules": [{"type": "TRACK", "key", "jsonSchema"}]} ' +
      'or the Config API\'s {"rules": {"events": [{"name", "rules"}]}}'
  })
}

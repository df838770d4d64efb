import type { PlannedProperty, TrackingPlanRule } from "./TrackingPlan.js"

type Json = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

const typesOf = (schema: Json): ReadonlyArray<string> => {
  const type = schema.type
  if (typeof type === "string") return [type]
  if (Array.isArray(type)) return type.filter((entry): entry is string => typeof entry === "string")
  return []
}

const collect = (schema: Json, prefix: string, into: Array<PlannedProperty>): void => {
  const properties = schema.properties
  if (!isObject(properties)) return
  const required = new Set(Array.isArray(schema.required) ? schema.required : [])
  for (const [name, child] of Object.entries(properties)) {
    if (!isObject(child)) continue
    const path = `${prefix}.${name}`
    into.push({
      path,
      types: typesOf(child),
      required: required.has(name),
      ...(Array.isArray(child.enum) ? { enum: child.enum } : {})
    })
    collect(child, path, into)
  }
}

/**
 * The properties a rule expects, from its schema's `properties.properties` (track) or `properties.traits`
 * (identify, group): paths such as "properties.churn_score" or "traits.plan.tier" for nested objects, in the
 * schema's order, each with its JSON type(s) (empty when the plan allows any), required or not, and its enum.
 */
export const plannedProperties = (rule: TrackingPlanRule): ReadonlyArray<PlannedProperty> => {
  const field = rule.call === "track" ? "properties" : "traits"
  const top = isObject(rule.jsonSchema.properties) ? rule.jsonSchema.properties[field] : undefined
  const into: Array<PlannedProperty> = []
  if (isObject(top)) collect(top, field, into)
  return into
}

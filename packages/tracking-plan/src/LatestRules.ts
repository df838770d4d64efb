import { type MessageShape, type PartTest, type ShapeCheck, shapeCheckOf, type UsableRule } from "./ShapeChecks.js"
import type { TrackingPlan, TrackingPlanRule } from "./TrackingPlan.js"
import { usableSchema } from "./UsableSchema.js"

/** The key of the rule a message of this call (and event) meets: `track:<event>`, `identify`, `group`. */
export const ruleKey = (call: string, event: unknown): string => (call === "track" ? `track:${String(event)}` : call)

const newer = (known: TrackingPlanRule | undefined, rule: TrackingPlanRule): boolean =>
  known === undefined || (rule.version ?? 0) > (known.version ?? 0)

/** The rules checked, by `ruleKey`: of several versions of one rule the highest (tablecast's messages name no version). */
export const latestRules = (plan: TrackingPlan): ReadonlyMap<string, TrackingPlanRule> => {
  const latest = new Map<string, TrackingPlanRule>()
  for (const rule of plan.rules) {
    const key = ruleKey(rule.call, rule.event ?? "")
    if (newer(latest.get(key), rule)) latest.set(key, rule)
  }
  return latest
}

/**
 * A plan's `checkShape` (see `ShapeCheck`): the rule a shape's messages meet and the common rule, taken
 * apart, each part compiled by `partTest`.
 */
export const shapeChecker = (plan: TrackingPlan, partTest: PartTest): ((shape: MessageShape) => ShapeCheck | undefined) => {
  const latest = latestRules(plan)
  const usable = (schema: Readonly<Record<string, unknown>>): UsableRule => {
    const { dialect, usable: ready } = usableSchema(schema)
    return { dialect, schema: ready }
  }
  const common = plan.common === undefined ? undefined : usable(plan.common)
  return (shape) => {
    const rule = latest.get(ruleKey(shape.type, shape.fixed.event))
    return shapeCheckOf(rule === undefined ? undefined : usable(rule.jsonSchema), common, shape, partTest)
  }
}

/** The calls a tracking plan's rules apply to; tablecast sends no `page` or `screen` calls. */
export type TrackingPlanCall = "track" | "identify" | "group"

/** One rule of a plan: the JSON Schema a message of one call (and, for `track`, one event) must satisfy. */
export interface TrackingPlanRule {
  readonly call: TrackingPlanCall
  /** The event name for track rules; undefined for identify/group (traits) rules. */
  readonly event?: string
  readonly version?: number
  /** The rule's JSON Schema as the plan gives it (the whole message's schema: {properties: {properties: {...}}} for
   *  track, {properties: {traits: {...}}} for identify/group — as Segment's Public API returns it). */
  readonly jsonSchema: Readonly<Record<string, unknown>>
  /** Where the rule stands in its file ("rules[2]", "rules.events[0]", "rules.identify"), for error texts. */
  readonly at?: string
}

/** A tracking plan read from a file: its rules for the calls tablecast sends. */
export interface TrackingPlan {
  readonly format: "public-api" | "config-api"
  readonly name?: string
  readonly rules: ReadonlyArray<TrackingPlanRule>
  /** The plan's common rule (Public API `COMMON`, Config API `global`): a schema every message must satisfy. */
  readonly common?: Readonly<Record<string, unknown>>
}

/** A property a rule expects: "properties.churn_score", with its JSON type(s), required or not, enum if any. */
export interface PlannedProperty {
  readonly path: string
  readonly types: ReadonlyArray<string>
  readonly required: boolean
  readonly enum?: ReadonlyArray<unknown>
}

/** How a rule is named in texts: `TRACK "Churn Scored" v1`, `IDENTIFY`, `GROUP v2`. */
export const ruleLabel = (rule: TrackingPlanRule): string => {
  const name = rule.event === undefined ? "" : ` ${JSON.stringify(rule.event)}`
  const version = rule.version === undefined ? "" : ` v${rule.version}`
  return `${rule.call.toUpperCase()}${name}${version}`
}

import { describe, expect, it } from "vitest"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import { churnConfigApi, churnPublicApi } from "./testing/Plans.js"
import { TrackingPlanError } from "./TrackingPlanError.js"

const parseError = (json: unknown): TrackingPlanError => {
  try {
    parseTrackingPlan(json, "plan.json")
  } catch (error) {
    if (error instanceof TrackingPlanError) return error
    throw error
  }
  throw new Error("the plan parsed")
}

describe("parseTrackingPlan", () => {
  it("reads the Public API's rules: track with its event, identify and group, PAGE skipped", () => {
    const plan = parseTrackingPlan(churnPublicApi, "plan.json")
    expect(plan.format).toBe("public-api")
    expect(plan.rules.map((rule) => [rule.call, rule.event, rule.version, rule.at])).toEqual([
      ["track", "Churn Scored", 1, "rules[0]"],
      ["identify", undefined, 1, "rules[1]"],
      ["group", undefined, 1, "rules[2]"]
    ])
    expect(plan.rules[0]?.jsonSchema).toBe(churnPublicApi.rules[0]?.jsonSchema)
  })

  it("reads the Public API's response envelope and a COMMON rule", () => {
    const common = { properties: { context: { required: ["ip"] } } }
    const plan = parseTrackingPlan({ data: { rules: [...churnPublicApi.rules, { type: "COMMON", jsonSchema: common }] } }, "plan.json")
    expect(plan.rules).toHaveLength(3)
    expect(plan.common).toBe(common)
  })

  it("reads the Config API's plan: events by name, identify, an empty group and global left out", () => {
    const plan = parseTrackingPlan(churnConfigApi, "plan.json")
    expect(plan).toMatchObject({ format: "config-api", name: "Churn" })
    expect(plan.common).toBeUndefined()
    expect(plan.rules.map((rule) => [rule.call, rule.event, rule.version, rule.at])).toEqual([
      ["track", "Churn Scored", 1, "rules.events[0]"],
      ["identify", undefined, undefined, "rules.identify"]
    ])
  })

  it("reads Config API events written with key and jsonSchema", () => {
    const plan = parseTrackingPlan({ rules: { events: [{ key: "Churn Scored", jsonSchema: { properties: {} } }] } }, "plan.json")
    expect(plan.rules[0]).toMatchObject({ call: "track", event: "Churn Scored" })
  })

  it("names the file for an unknown shape", () => {
    expect(parseError({ events: [] }).message).toMatch(/^tracking plan plan\.json: unknown shape/)
    expect(parseError([1, 2]).message).toBe("tracking plan plan.json: a tracking plan is a JSON object, got an array")
  })

  it("names the rule and the field at fault", () => {
    const unknownType = parseError({ rules: [churnPublicApi.rules[0], { type: "ALIAS", jsonSchema: {} }] })
    expect(unknownType).toMatchObject({ origin: "plan.json", rule: "rules[1]", field: "type" })
    expect(unknownType.message).toContain('unknown rule type "ALIAS"')
    expect(parseError({ rules: [{ type: "TRACK", jsonSchema: {} }] }).message).toBe(
      "tracking plan plan.json (rules[0].key): a track rule needs its event name, got nothing"
    )
    expect(parseError({ rules: [{ type: "TRACK", key: "A", jsonSchema: "{}" }] }).message).toContain(
      "(rules[0].jsonSchema): the rule's JSON Schema must be an object, got string"
    )
    expect(parseError({ rules: { events: [{ name: "A", version: 0, rules: {} }] } }).message).toContain(
      "(rules.events[0].version): must be a positive whole number, got 0"
    )
    expect(parseError({ rules: { events: {} } }).message).toContain("(rules.events): must be a list, got object")
  })

  it("refuses the same rule twice", () => {
    const rule = { type: "TRACK", key: "A", version: 1, jsonSchema: {} }
    expect(parseError({ rules: [rule, rule] }).message).toBe("tracking plan plan.json (rules[1]): the same rule appears twice (first at rules[0])")
  })
})

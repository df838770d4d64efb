import { readFileSync } from "node:fs"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { interpretTrackingPlan } from "./InterpretedPlan.js"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import { churnPublicApi } from "./testing/Plans.js"
import { TrackingPlanError } from "./TrackingPlanError.js"

const track = (properties: Record<string, unknown>, event = "Churn Scored") => ({ type: "track", userId: "c1", event, properties })

const refusal = (plan: unknown): TrackingPlanError => {
  try {
    interpretTrackingPlan(parseTrackingPlan(plan, "plan.json"), "plan.json")
  } catch (error) {
    if (error instanceof TrackingPlanError) return error
    throw error
  }
  throw new Error("the plan was accepted")
}

describe("interpretTrackingPlan", () => {
  const plan = interpretTrackingPlan(parseTrackingPlan(churnPublicApi, "plan.json"), "plan.json")

  it("names the property, what it must be, what it is, and the rule", () => {
    expect(plan.check(track({ churn_score: "0.4", segment: "high" })).violations).toEqual([
      {
        path: "properties.churn_score",
        rule: 'TRACK "Churn Scored" v1',
        text: 'properties.churn_score: must be number, got string (TRACK "Churn Scored" v1)'
      }
    ])
    expect(plan.check(track({ churn_score: 0.4, segment: "high" }))).toEqual({ violations: [], unplanned: false })
    expect(plan.check(track({}, "Other"))).toEqual({ violations: [], unplanned: true })
  })

  it("tells the failing value by its type only when asked not to quote values", () => {
    const quiet = interpretTrackingPlan(parseTrackingPlan(churnPublicApi, "plan.json"), "plan.json", { quoteValues: false })
    expect(quiet.check(track({ churn_score: 1.5, segment: "secret-value" })).violations.map((violation) => violation.text)).toEqual([
      'properties.churn_score: must be <= 1, got number (TRACK "Churn Scored" v1)',
      'properties.segment: must be one of "high", "medium", "low", got string (TRACK "Churn Scored" v1)'
    ])
    expect(JSON.stringify(quiet.check({ type: "identify", userId: "c1", traits: { email: "jane@" } }))).not.toContain("jane")
  })

  it("checks the highest version of a rule", () => {
    const versions = interpretTrackingPlan(
      parseTrackingPlan(
        {
          rules: [
            { type: "TRACK", key: "A", version: 2, jsonSchema: { properties: { properties: { required: ["new"] } } } },
            { type: "TRACK", key: "A", version: 1, jsonSchema: { properties: { properties: { required: ["old"] } } } }
          ]
        },
        "plan.json"
      ),
      "plan.json"
    )
    expect(versions.check(track({ old: 1 }, "A")).violations.map((violation) => violation.text)).toEqual([
      'properties.new: required property missing (TRACK "A" v2)'
    ])
  })

  it("refuses a rule whose schema is not a JSON Schema, naming the rule, the field and the keyword", () => {
    const broken = refusal({
      rules: [
        { type: "TRACK", key: "A", version: 1, jsonSchema: { properties: {} } },
        { type: "TRACK", key: "B", version: 1, jsonSchema: { properties: { properties: { properties: { n: { type: "numbr" } } } } } }
      ]
    })
    expect(broken.rule).toBe("rules[1]")
    expect(broken.field).toBe("jsonSchema")
    expect(broken.message).toContain('tracking plan plan.json (rules[1].jsonSchema): TRACK "B" v1: the rule\'s JSON Schema is not valid')
    expect(broken.message).toContain("properties.properties.properties.n.type")
    expect(refusal({ rules: [{ type: "IDENTIFY", jsonSchema: { required: "email" } }] }).message).toContain("required: must be array, got string")
  })

  it("refuses a $ref that resolves nowhere before any message is checked", () => {
    const broken = refusal({ rules: [{ type: "TRACK", key: "A", version: 1, jsonSchema: { $ref: "#/definitions/missing" } }] })
    expect(broken.message).toContain("rules[0].jsonSchema")
    expect(broken.message).toContain("#/definitions/missing")
  })

  it("loads no code-generating validator: the entry's imports never reach Ajv", () => {
    const seen = new Set<string>()
    const external = new Set<string>()
    const visit = (file: string): void => {
      if (seen.has(file)) return
      seen.add(file)
      const source = readFileSync(file, "utf8")
      for (const [, specifier] of source.matchAll(/^(?:import|export)\s(?!type\b)[^"]*?from\s+"([^"]+)"/gm)) {
        if (specifier!.startsWith(".")) visit(path.resolve(path.dirname(file), specifier!.replace(/\.js$/, ".ts")))
        else external.add(specifier!)
      }
    }
    visit(path.join(import.meta.dirname, "interpreted.ts"))
    expect([...external]).toEqual(["@cfworker/json-schema"])
    expect(seen.size).toBeGreaterThan(3)
  })
})

import { describe, expect, it } from "vitest"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import { plannedProperties } from "./PlannedProperties.js"
import { churnPublicApi } from "./testing/Plans.js"

describe("plannedProperties", () => {
  const plan = parseTrackingPlan(churnPublicApi, "plan.json")

  it("lists a track rule's properties with types, required and enum", () => {
    const track = plan.rules.find((rule) => rule.call === "track")
    expect(track && plannedProperties(track)).toEqual([
      { path: "properties.churn_score", types: ["number"], required: true },
      { path: "properties.segment", types: ["string"], required: true, enum: ["high", "medium", "low"] },
      { path: "properties.model", types: ["string", "null"], required: false }
    ])
  })

  it("lists identify traits, and nested objects by path", () => {
    const identify = plan.rules.find((rule) => rule.call === "identify")
    expect(identify && plannedProperties(identify).map((property) => property.path)).toEqual(["traits.email", "traits.plan"])
    const nested = plannedProperties({
      call: "group",
      jsonSchema: {
        properties: {
          traits: { properties: { plan: { type: "object", properties: { tier: {} }, required: ["tier"] } } }
        }
      }
    })
    expect(nested).toEqual([
      { path: "traits.plan", types: ["object"], required: false },
      { path: "traits.plan.tier", types: [], required: true }
    ])
  })

  it("gives nothing for a rule without a properties schema", () => {
    const group = plan.rules.find((rule) => rule.call === "group")
    expect(group && plannedProperties(group)).toEqual([])
  })
})

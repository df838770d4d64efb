import { describe, expect, it } from "vitest"
import { compileTrackingPlan } from "./CompiledPlan.js"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import { churnConfigApi, churnPublicApi } from "./testing/Plans.js"
import { TrackingPlanError } from "./TrackingPlanError.js"

const track = (properties: Record<string, unknown>, event = "Churn Scored") => ({
  type: "track",
  userId: "c1",
  event,
  properties,
  context: { library: { name: "tablecast", version: "1" } },
  messageId: "m"
})

const texts = (plan: ReturnType<typeof compileTrackingPlan>, message: Record<string, unknown>) =>
  plan.check(message).violations.map((violation) => violation.text)

describe("compileTrackingPlan", () => {
  const publicApi = compileTrackingPlan(parseTrackingPlan(churnPublicApi, "plan.json"), "plan.json")

  it("passes a message that keeps its rule", () => {
    expect(publicApi.check(track({ churn_score: 0.4, segment: "high", model: null }))).toEqual({ violations: [], unplanned: false })
  })

  it("names the property, what it must be, what it is, and the rule", () => {
    expect(texts(publicApi, track({ churn_score: "0.4", segment: "high" }))).toEqual([
      'properties.churn_score: must be number, got string (TRACK "Churn Scored" v1)'
    ])
    expect(texts(publicApi, track({ churn_score: 0.4 }))).toEqual(['properties.segment: required property missing (TRACK "Churn Scored" v1)'])
    expect(texts(publicApi, track({ churn_score: 0.4, segment: "extreme" }))).toEqual([
      'properties.segment: must be one of "high", "medium", "low", got "extreme" (TRACK "Churn Scored" v1)'
    ])
    expect(texts(publicApi, track({ churn_score: 1.5, segment: "low", model: 3 }))).toEqual([
      'properties.churn_score: must be <= 1, got 1.5 (TRACK "Churn Scored" v1)',
      'properties.model: must be string or null, got integer (TRACK "Churn Scored" v1)'
    ])
  })

  it("lists every violation of a message (allErrors)", () => {
    const found = publicApi.check(track({ churn_score: "x", segment: "none" })).violations
    expect(found.map((violation) => violation.path)).toEqual(["properties.churn_score", "properties.segment"])
    expect(found.every((violation) => violation.rule === 'TRACK "Churn Scored" v1')).toBe(true)
  })

  it("checks identify traits with formats, and group traits", () => {
    expect(texts(publicApi, { type: "identify", userId: "c1", traits: { email: "not-an-email" } })).toEqual([
      'traits.email: must match format "email", got "not-an-email" (IDENTIFY v1)'
    ])
    expect(texts(publicApi, { type: "group", userId: "c1", groupId: "g", traits: {} })).toEqual([
      "traits.name: required property missing (GROUP v1)"
    ])
  })

  it("lets a track event the plan does not name through, as unplanned", () => {
    expect(publicApi.check(track({ anything: "x" }, "Page Scored"))).toEqual({ violations: [], unplanned: true })
  })

  it("checks each track message against its own event's rule, whatever event came before", () => {
    const plan = compileTrackingPlan(
      parseTrackingPlan(
        {
          rules: [
            { type: "TRACK", key: "A", version: 1, jsonSchema: { properties: { properties: { required: ["a"] } } } },
            { type: "TRACK", key: "B", version: 1, jsonSchema: { properties: { properties: { required: ["b"] } } } }
          ]
        },
        "plan.json"
      ),
      "plan.json"
    )
    const events = ["A", "A", "B", "A", "C", "B", "B", "C", "A"]
    expect(events.map((event) => texts(plan, track({}, event)))).toEqual(
      events.map((event) => (event === "C" ? [] : [`properties.${event.toLowerCase()}: required property missing (TRACK "${event}" v1)`]))
    )
    expect(events.map((event) => plan.check(track({ a: 1, b: 1 }, event)).unplanned)).toEqual(events.map((event) => event === "C"))
  })

  it("checks alike when the plan's schemas are known good already (validated: a worker thread's copy)", () => {
    const again = compileTrackingPlan(parseTrackingPlan(churnPublicApi, "plan.json"), "plan.json", { validated: true })
    const messages: ReadonlyArray<Record<string, unknown>> = [
      track({ churn_score: 0.4, segment: "high" }),
      track({ churn_score: "x", segment: "none", model: 3 }),
      track({ anything: "x" }, "Page Scored"),
      { type: "identify", userId: "c1", traits: { email: "not-an-email" } },
      { type: "identify", userId: "c1", traits: { email: "a@example.com" } },
      { type: "group", userId: "c1", groupId: "g", traits: {} }
    ]
    expect(messages.map((message) => again.check(message))).toEqual(messages.map((message) => publicApi.check(message)))
    expect(again.check(messages[3]!).violations).toHaveLength(1)
  })

  it("checks a format in whichever dialect's schema names it, after schemas that name none", () => {
    const plan = compileTrackingPlan(
      parseTrackingPlan(
        {
          rules: [
            { type: "TRACK", key: "A", version: 1, jsonSchema: { properties: { properties: { properties: { at: { type: "string" } } } } } },
            {
              type: "TRACK",
              key: "B",
              version: 1,
              jsonSchema: {
                $schema: "https://json-schema.org/draft/2020-12/schema",
                properties: { properties: { properties: { at: { type: "string", format: "date-time" } } } }
              }
            }
          ]
        },
        "plan.json"
      ),
      "plan.json"
    )
    expect(texts(plan, track({ at: "yesterday" }, "A"))).toEqual([])
    expect(texts(plan, track({ at: "yesterday" }, "B"))).toEqual(['properties.at: must match format "date-time", got "yesterday" (TRACK "B" v1)'])
    expect(texts(plan, track({ at: "2026-05-01T00:00:00Z" }, "B"))).toEqual([])
  })

  it("checks the highest version of a rule", () => {
    const plan = compileTrackingPlan(
      parseTrackingPlan(
        {
          rules: [
            { type: "TRACK", key: "A", version: 2, jsonSchema: { properties: { properties: { required: ["b"] } } } },
            { type: "TRACK", key: "A", version: 1, jsonSchema: { properties: { properties: { required: ["a"] } } } }
          ]
        },
        "plan.json"
      ),
      "plan.json"
    )
    expect(texts(plan, track({ a: 1 }, "A"))).toEqual(['properties.b: required property missing (TRACK "A" v2)'])
  })

  it("reads the Config API's draft-04 schemas the same way", () => {
    const config = compileTrackingPlan(parseTrackingPlan(churnConfigApi, "plan.json"), "plan.json")
    expect(texts(config, track({ churn_score: "0.4", segment: "high" }))).toEqual([
      'properties.churn_score: must be number, got string (TRACK "Churn Scored" v1)'
    ])
    const exclusive = compileTrackingPlan(
      parseTrackingPlan(
        {
          rules: {
            events: [
              {
                name: "A",
                rules: {
                  $schema: "http://json-schema.org/draft-04/schema#",
                  properties: { properties: { properties: { n: { type: "number", maximum: 1, exclusiveMaximum: true } } } }
                }
              }
            ]
          }
        },
        "plan.json"
      ),
      "plan.json"
    )
    expect(texts(exclusive, track({ n: 1 }, "A"))).toEqual(['properties.n: must be < 1, got 1 (TRACK "A")'])
    expect(texts(exclusive, track({ n: 0.5 }, "A"))).toEqual([])
  })

  it("applies a COMMON rule to every message", () => {
    const plan = compileTrackingPlan(
      parseTrackingPlan({ rules: [{ type: "COMMON", jsonSchema: { required: ["timestamp"] } }] }, "plan.json"),
      "plan.json"
    )
    expect(plan.check(track({}))).toEqual({
      violations: [{ path: "timestamp", rule: "COMMON", text: "timestamp: required property missing (COMMON)" }],
      unplanned: true
    })
  })

  it("refuses a rule whose schema is broken, naming the file and the rule", () => {
    const broken = parseTrackingPlan(
      { rules: [churnPublicApi.rules[0], { type: "TRACK", key: "B", version: 1, jsonSchema: { type: "numbr" } }] },
      "plan.json"
    )
    let error: unknown
    try {
      compileTrackingPlan(broken, "plan.json")
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TrackingPlanError)
    expect((error as TrackingPlanError).message).toMatch(
      /^tracking plan plan\.json \(rules\[1\]\.jsonSchema\): TRACK "B" v1: the rule's JSON Schema is not valid: /
    )
  })
})

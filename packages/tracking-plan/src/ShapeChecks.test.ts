import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compileTrackingPlan } from "./CompiledPlan.js"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import type { MessageShape, ShapeCheck } from "./ShapeChecks.js"
import { churnPublicApi } from "./testing/Plans.js"

const context = { library: { name: "tablecast", version: "1" } }
const trackShape: MessageShape = {
  type: "track",
  fixed: { type: "track", event: "Churn Scored", context },
  varying: ["userId", "timestamp", "messageId"],
  payload: "properties"
}

/** A message of `trackShape`, as the mapper would write it. */
const trackMessage = (properties: Record<string, unknown>, members: Record<string, unknown> = { userId: "c1", messageId: "m" }) => ({
  type: "track",
  ...members,
  event: "Churn Scored",
  properties,
  context
})

/** What a gate decides of a message with a ShapeCheck: every value passes its test, every required member and key present. */
const passes = (shape: ShapeCheck, message: Readonly<Record<string, unknown>>, payloadName = "properties"): boolean => {
  for (const name of shape.requiredMembers) if (message[name] === undefined) return false
  for (const name of ["userId", "anonymousId", "groupId", "timestamp", "messageId"]) {
    const test = shape.member(name)
    if (message[name] !== undefined && test !== undefined && !test(message[name])) return false
  }
  const payload = message[payloadName] as Record<string, unknown>
  for (const key of shape.requiredPayloadKeys) if (!Object.hasOwn(payload, key)) return false
  return Object.entries(payload).every(([key, value]) => shape.payloadKey(key)?.(value) ?? true)
}

const planOf = (rules: ReadonlyArray<Record<string, unknown>>) => compileTrackingPlan(parseTrackingPlan({ rules }, "plan.json"), "plan.json")
const trackRule = (properties: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  type: "TRACK",
  key: "Churn Scored",
  version: 1,
  jsonSchema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { properties, ...more } }
})

describe("a plan taken apart for a shape of message", () => {
  it("tests each planned property alone, and names the required ones", () => {
    const plan = compileTrackingPlan(parseTrackingPlan(churnPublicApi, "plan.json"), "plan.json")
    const shape = plan.checkShape(trackShape)!
    expect(shape.unplanned).toBe(false)
    expect(shape.requiredPayloadKeys).toEqual(expect.arrayContaining(["churn_score", "segment"]))
    expect(shape.payloadKey("churn_score")!(0.4)).toBe(true)
    expect(shape.payloadKey("churn_score")!("0.4")).toBe(false)
    expect(shape.payloadKey("segment")!("extreme")).toBe(false)
    expect(passes(shape, trackMessage({ churn_score: 0.4, segment: "high" }))).toBe(true)
    expect(passes(shape, trackMessage({ churn_score: 0.4 }))).toBe(false)
  })

  it("says unplanned for a track event no rule names, and tests nothing then", () => {
    const plan = compileTrackingPlan(parseTrackingPlan(churnPublicApi, "plan.json"), "plan.json")
    const shape = plan.checkShape({ ...trackShape, fixed: { ...trackShape.fixed, event: "Other" } })!
    expect(shape.unplanned).toBe(true)
    expect(shape.payloadKey("anything")).toBeUndefined()
    expect(shape.requiredPayloadKeys).toEqual([])
  })

  it("is not taken apart where the rule judges more than each value", () => {
    const payload = { type: "object", properties: { score: { type: "number" } } }
    for (const rule of [
      trackRule({ ...payload, anyOf: [{ required: ["score"] }] }),
      trackRule({ ...payload, minProperties: 1 }),
      trackRule({ ...payload, patternProperties: { "^x": { type: "string" } } }),
      {
        ...trackRule(payload),
        jsonSchema: {
          type: "object",
          definitions: { score: { type: "number" } },
          properties: { properties: { type: "object", properties: { score: { $ref: "#/definitions/score" } } } }
        }
      },
      trackRule(payload, { context: { type: "object", required: ["ip"] } }),
      { ...trackRule(payload), jsonSchema: { type: "object", required: ["anonymousId"], properties: { properties: payload } } },
      { ...trackRule(payload), jsonSchema: { type: "object", properties: { properties: false } } }
    ]) {
      expect(planOf([rule]).checkShape(trackShape)).toBeUndefined()
    }
  })

  it("tests the members a row gives, and requires them as the rule does", () => {
    const plan = planOf([
      {
        type: "TRACK",
        key: "Churn Scored",
        jsonSchema: {
          type: "object",
          required: ["userId"],
          properties: { userId: { type: "string", pattern: "^c" }, timestamp: { type: "string", format: "date-time" } }
        }
      }
    ])
    const shape = plan.checkShape(trackShape)!
    expect(shape.requiredMembers).toEqual(["userId"])
    expect(shape.member("userId")!("c1")).toBe(true)
    expect(shape.member("userId")!("u1")).toBe(false)
    expect(shape.member("timestamp")!("2026-05-01T02:00:00Z")).toBe(true)
    expect(shape.member("timestamp")!("yesterday")).toBe(false)
  })

  it("decides as the whole check does, for any message and plan of typed, bounded and enumerated properties", () => {
    const propertySchema = fc.oneof(
      fc.record({ type: fc.constantFrom("number", "integer"), minimum: fc.integer({ min: -5, max: 0 }), maximum: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ type: fc.constantFrom("string", ["string", "null"]), enum: fc.constant(["a", "b", null]) }, { requiredKeys: ["type"] }),
      fc.record({ type: fc.constant("string"), maxLength: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ type: fc.constant("string"), format: fc.constant("date-time") }),
      fc.record({ type: fc.constantFrom("boolean", "null", "array", "object") }),
      fc.constant({})
    )
    const keys = ["a", "b", "c", "d"]
    const plan = fc.record({
      properties: fc.dictionary(fc.constantFrom(...keys), propertySchema, { maxKeys: 4 }),
      required: fc.subarray(keys),
      additionalProperties: fc.oneof(fc.constant(undefined), fc.boolean(), fc.constant({ type: "number" }))
    })
    const value = fc.oneof(
      fc.integer({ min: -7, max: 7 }),
      fc.double({ min: -7, max: 7, noNaN: true }),
      fc.constantFrom("a", "b", "c", "abcd", "", "2026-05-01T02:00:00Z", "2026-13-01"),
      fc.boolean(),
      fc.constant(null),
      fc.constant([1]),
      fc.constant({ x: 1 })
    )
    const payload = fc.dictionary(fc.constantFrom(...keys, "e"), value, { maxKeys: 5 })
    fc.assert(
      fc.property(plan, fc.array(payload, { minLength: 1, maxLength: 5 }), (schema, payloads) => {
        const { additionalProperties, ...rest } = schema
        const properties = { type: "object", ...rest, ...(additionalProperties === undefined ? {} : { additionalProperties }) }
        const compiled = planOf([trackRule(properties)])
        const shape = compiled.checkShape(trackShape)
        expect(shape).toBeDefined()
        for (const properties of payloads) {
          const message = trackMessage(properties)
          expect(passes(shape!, message)).toBe(compiled.check(message).violations.length === 0)
        }
      }),
      { numRuns: 200 }
    )
  })

  it("takes the common rule with the event's, and both must pass", () => {
    const plan = compileTrackingPlan(
      parseTrackingPlan(
        {
          rules: [
            trackRule({ type: "object", properties: { score: { type: "number" } } }),
            { type: "COMMON", jsonSchema: { type: "object", properties: { properties: { properties: { score: { maximum: 1 } } } } } }
          ]
        },
        "plan.json"
      ),
      "plan.json"
    )
    const shape = plan.checkShape(trackShape)!
    expect(shape.payloadKey("score")!(0.5)).toBe(true)
    expect(shape.payloadKey("score")!(2)).toBe(false)
    expect(shape.payloadKey("score")!("0.5")).toBe(false)
  })
})

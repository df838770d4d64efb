import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compileTrackingPlan } from "./CompiledPlan.js"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import { revivedShapeChecks } from "./RevivedTests.js"
import type { MessageShape } from "./ShapeChecks.js"

const shape: MessageShape = {
  type: "track",
  fixed: { type: "track", event: "Scored", context: { library: { name: "tablecast", version: "1" } } },
  varying: ["userId", "timestamp", "messageId"],
  payload: "properties"
}

// Every kind of test Ajv's standalone code writes: plain, with a format, a string length, an enum of objects.
const properties = {
  score: { type: "number", minimum: 0, maximum: 1 },
  tier: { type: "string", enum: ["a", "b"] },
  at: { type: "string", format: "date-time" },
  code: { type: "string", maxLength: 3 },
  shape: { enum: [{ x: 1 }, [1, 2]] },
  email: { type: "string", format: "email" }
}
const plan = compileTrackingPlan(
  parseTrackingPlan(
    {
      rules: [
        {
          type: "TRACK",
          key: "Scored",
          jsonSchema: {
            type: "object",
            properties: { userId: { type: "string", minLength: 2 }, properties: { type: "object", properties, required: ["score"] } }
          }
        }
      ]
    },
    "plan.json"
  ),
  "plan.json"
)

describe("tests revived from standalone code", () => {
  it("decide as the tests compiled with Ajv, for any value", async () => {
    const revived = (await revivedShapeChecks(plan.plan, plan.portableTests([shape])))(shape)!
    const compiled = plan.checkShape(shape)!
    expect(revived.requiredPayloadKeys).toEqual(compiled.requiredPayloadKeys)
    expect(revived.requiredMembers).toEqual(compiled.requiredMembers)
    const value = fc.oneof(
      fc.double({ min: -1, max: 2, noNaN: true }),
      fc.constantFrom("a", "b", "abcd", "ab", "2026-05-01T02:00:00Z", "2026-02-30T00:00:00Z", "me@example.com", "nope"),
      fc.constantFrom({ x: 1 }, { x: 2 }, [1, 2], [2, 1], null, true)
    )
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(properties), "other"), value, (key, sample) => {
        expect(revived.payloadKey(key)?.(sample)).toBe(compiled.payloadKey(key)?.(sample))
      }),
      { numRuns: 500 }
    )
    expect(revived.member("userId")!("u")).toBe(false)
    expect(revived.member("userId")!("u1")).toBe(true)
  })

  it("do not take apart a shape whose tests were not compiled for it", async () => {
    const checkShape = await revivedShapeChecks(plan.plan, {})
    expect(checkShape(shape)).toBeUndefined()
    const other: MessageShape = { ...shape, fixed: { ...shape.fixed, event: "Other" } }
    // An unplanned event needs no test: it is taken apart with none.
    expect(checkShape(other)?.unplanned).toBe(true)
  })

  it("are plain code that needs no Ajv: only Ajv's small runtime modules", () => {
    const sources = Object.values(plan.portableTests([shape])).join("\n")
    const required = new Set([...sources.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]))
    expect([...required].sort()).toEqual(["ajv-formats/dist/formats", "ajv/dist/runtime/equal", "ajv/dist/runtime/ucs2length"])
  })
})

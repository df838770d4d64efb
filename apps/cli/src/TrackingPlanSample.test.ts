import { SyncSpec, type SyncSpecInput } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { PlanSample, payloadColumns } from "./TrackingPlanSample.ts"

const specOf = (input: SyncSpecInput) => SyncSpec.parse(input)

describe("the sample a tracking plan is written from", () => {
  it("counts, per call and property, the messages holding a value and the JSON types seen", () => {
    const sample = new PlanSample(
      specOf({ event: "Churn Scored", customerId: "id", rename: { r: "rfm.recency" }, nest: true }),
      ["id", "score", "r"],
      undefined
    )
    sample.add({ type: "track", properties: { score: 0.5, rfm: { recency: 3 } } })
    sample.add({ type: "track", properties: { score: 1, rfm: { recency: null } } })
    sample.add({ type: "track", properties: { score: "", rfm: {} } })
    expect(sample.messages).toEqual({ track: 3, identify: 0, group: 0 })
    expect(sample.property("track", "score")).toMatchObject({ present: 2, types: new Set(["number", "integer"]) })
    // A renamed, nested column is read where the mapper put it.
    expect(sample.property("track", "r")).toMatchObject({ present: 1, types: new Set(["integer"]) })
    // The id is the userId, not a property.
    expect(sample.property("track", "id").present).toBe(0)
  })

  it("keeps at most enumMax + 1 distinct texts of a property, however many it sees", () => {
    const sample = new PlanSample(specOf({ event: "Scored", customerId: "id" }), ["id", "tier", "code"], 3)
    for (let n = 0; n < 10_000; n++) sample.add({ type: "track", properties: { tier: ["gold", "silver"][n % 2], code: `c${n}` } })
    expect([...sample.property("track", "tier").values].sort()).toEqual(["gold", "silver"])
    expect(sample.property("track", "code").values.size).toBe(4)
    expect(sample.property("track", "code").present).toBe(10_000)
    // With no enum asked for, no text is kept at all.
    const none = new PlanSample(specOf({ event: "Scored", customerId: "id" }), ["id", "tier"], undefined)
    none.add({ type: "track", properties: { tier: "gold" } })
    expect(none.property("track", "tier").values.size).toBe(0)
  })

  it("takes columns first seen in later rows (loose records), counting the rows before as without them", () => {
    const sample = new PlanSample(specOf({ event: "Scored", customerId: "id" }), [], undefined)
    sample.noteColumns(["id", "a"])
    sample.add({ type: "track", properties: { a: 1 } })
    sample.noteColumns(["id", "a", "b"])
    sample.add({ type: "track", properties: { a: 2, b: true } })
    expect(sample.columns).toEqual(["id", "a", "b"])
    expect(sample.property("track", "a").present).toBe(2)
    expect(sample.property("track", "b")).toMatchObject({ present: 1, types: new Set(["boolean"]) })
  })

  it("counts a column listed twice once", () => {
    const sample = new PlanSample(specOf({ event: "Scored", customerId: "id", properties: ["a", "a"] }), ["id", "a"], undefined)
    sample.add({ type: "track", properties: { a: 1 } })
    expect(sample.property("track", "a").present).toBe(1)
  })

  it("gives group calls their groupTraits, and leaves those out of the other calls' every column", () => {
    const spec = specOf({ type: "identify,group", customerId: "user_id", groupId: "account_id", groupTraits: ["seats", "industry"] })
    const columns = ["user_id", "account_id", "plan", "seats", "industry"]
    expect(payloadColumns(spec, "group", columns)).toEqual(["seats", "industry"])
    expect(payloadColumns(spec, "identify", columns)).toEqual(["plan"])
    const sample = new PlanSample(spec, columns, undefined)
    sample.add({ type: "identify", traits: { plan: "pro" } })
    sample.add({ type: "group", traits: { seats: 12, industry: "retail" } })
    expect(sample.messages).toEqual({ track: 0, identify: 1, group: 1 })
    expect(sample.property("group", "seats").present).toBe(1)
    expect(sample.property("identify", "plan").present).toBe(1)
    expect(sample.property("group", "plan").present).toBe(0)
  })
})

import { type ColumnTypes, columnTypeLines, compileMapper, SyncSpec, type SyncSpecInput } from "@tablecast/core"
import { compileTrackingPlan, parseTrackingPlan } from "@tablecast/tracking-plan"
import { describe, expect, it } from "vitest"
import { PlanSample } from "./TrackingPlanSample.ts"
import { writeTrackingPlan } from "./TrackingPlanWriter.ts"

const library = { name: "tablecast", version: "0.0.0-test" }

/** Maps rows as a sync would, and writes the plan from them as `tablecast tracking-plan` does. */
const planFor = (input: {
  readonly spec: SyncSpecInput
  readonly rows: ReadonlyArray<Record<string, unknown>>
  readonly types?: ColumnTypes
  readonly notNull?: ReadonlyArray<string>
  readonly enumMax?: number
}) => {
  const spec = SyncSpec.parse(input.spec)
  const map = compileMapper(spec, library, { columnTypes: input.types })
  const messages = input.rows.flatMap((values, index) => {
    const mapped = map({ rowNumber: index + 1, values })
    if (!mapped.ok) throw new Error(mapped.reason)
    return mapped.messages.map((message) => message.json)
  })
  const sample = new PlanSample(spec, Object.keys(input.rows[0] ?? input.types ?? {}), input.enumMax)
  for (const json of messages) sample.add(JSON.parse(json) as Record<string, unknown>)
  const columns = columnTypeLines(spec, sample.columns, input.types)
  const plan = writeTrackingPlan({ spec, columns, sample, notNull: new Set(input.notNull ?? []), enumMax: input.enumMax })
  return { plan, messages, compiled: compileTrackingPlan(parseTrackingPlan(JSON.parse(JSON.stringify(plan)), "plan.json"), "plan.json") }
}

const violationsOf = (compiled: ReturnType<typeof planFor>["compiled"], messages: ReadonlyArray<string>) =>
  messages.flatMap((json) => compiled.check(JSON.parse(json) as Record<string, unknown>).violations.map((v) => v.text))

const payloadOf = (plan: ReturnType<typeof planFor>["plan"], index = 0) =>
  (plan.rules[index]!.jsonSchema.properties as Record<string, { properties: Record<string, Record<string, unknown>>; required?: Array<string> }>)[
    plan.rules[index]!.type === "TRACK" ? "properties" : "traits"
  ]!

const decided = (type: "number" | "string" | "boolean" | "timestamp", basis: string) => ({ type, basis })

describe("a tracking plan written from a sync", () => {
  const rows = [
    { customer_id: "c1", churn_score: "0.5", tier: "gold", rfm_recency: "3", note: "" },
    { customer_id: "c2", churn_score: "0.25", tier: "silver", rfm_recency: "5", note: "called" },
    { customer_id: "c3", churn_score: "1", tier: "gold", rfm_recency: "7", note: "" }
  ]
  const fileTypes: ColumnTypes = {
    customer_id: decided("string", "decided from the first 3 rows"),
    churn_score: decided("number", "decided from the first 3 rows"),
    tier: decided("string", "decided from the first 3 rows"),
    rfm_recency: decided("number", "decided from the first 3 rows"),
    note: decided("string", "decided from the first 3 rows")
  }

  it("gives a TRACK rule with the event, each property typed as sent, required where never empty, null allowed where empty", () => {
    const { plan, messages, compiled } = planFor({
      spec: { event: "Churn Scored", customerId: "customer_id", rename: { rfm_recency: "rfm.recency" } },
      rows,
      types: fileTypes
    })
    expect(plan.rules.map((rule) => [rule.type, rule.key, rule.version])).toEqual([["TRACK", "Churn Scored", 1]])
    expect(plan.rules[0]!.jsonSchema.$schema).toBe("http://json-schema.org/draft-07/schema#")
    const payload = payloadOf(plan)
    expect(Object.keys(payload.properties)).toEqual(["churn_score", "tier", "rfm", "note"])
    expect(payload.properties.churn_score!.type).toBe("number")
    expect(payload.properties.tier!.type).toBe("string")
    expect(payload.properties.note!.type).toEqual(["string", "null"])
    expect(payload.required).toEqual(["churn_score", "tier", "rfm"])
    // The renamed column nests: rfm.recency, required inside its object.
    expect(payload.properties.rfm).toMatchObject({ type: "object", properties: { recency: { type: "number" } }, required: ["recency"] })
    // The customer id is the message's userId, not a property.
    expect(payload.properties.customer_id).toBeUndefined()
    expect(violationsOf(compiled, messages)).toEqual([])
  })

  it("stops the messages of a changed model: a number turned to text, a column renamed away", () => {
    const { compiled } = planFor({ spec: { event: "Churn Scored", customerId: "customer_id" }, rows, types: fileTypes })
    const changed = { type: "track", event: "Churn Scored", userId: "c9", properties: { churn_score: "high", tier: "gold", rfm_recency: 2 } }
    expect(compiled.check(changed).violations.map((v) => v.path)).toContain("properties.churn_score")
    const renamed = { type: "track", event: "Churn Scored", userId: "c9", properties: { churnScore: 0.5, tier: "gold", rfm_recency: 2 } }
    expect(
      compiled
        .check(renamed)
        .violations.map((v) => v.text)
        .join("\n")
    ).toMatch(/churn_score/)
  })

  it("lists the values of few-valued text columns as an enum only when asked", () => {
    const spec = { event: "Churn Scored", customerId: "customer_id" }
    expect(payloadOf(planFor({ spec, rows, types: fileTypes }).plan).properties.tier!.enum).toBeUndefined()
    const { plan, messages, compiled } = planFor({ spec, rows, types: fileTypes, enumMax: 2 })
    expect(payloadOf(plan).properties.tier!.enum).toEqual(["gold", "silver"])
    // Each value seen once is no category: the note column gets no enum.
    expect(payloadOf(plan).properties.note!.enum).toBeUndefined()
    expect(violationsOf(compiled, messages)).toEqual([])
    const other = { type: "track", event: "Churn Scored", userId: "c9", properties: { churn_score: 0.1, tier: "platinum", rfm_recency: 2 } }
    expect(compiled.check(other).violations.map((v) => v.path)).toEqual(["properties.tier"])
    expect(payloadOf(planFor({ spec, rows, types: fileTypes, enumMax: 1 }).plan).properties.tier!.enum).toBeUndefined()
  })

  it("reads a warehouse's declared types: integers, timestamps as date-time, NOT NULL required with no row read", () => {
    const types: ColumnTypes = {
      user_id: decided("string", "declared text"),
      churn_score: decided("number", "declared numeric(5,3)"),
      decile: decided("number", "declared integer"),
      cohort: decided("number", "declared numeric(10,0)"),
      active: decided("boolean", "declared boolean"),
      scored_at: decided("timestamp", "declared timestamp with time zone")
    }
    const warehouseRows = [
      { user_id: "u1", churn_score: 0.5, decile: 3, cohort: 202611, active: true, scored_at: new Date("2026-11-27T03:00:00Z") },
      { user_id: "u2", churn_score: 0.125, decile: null, cohort: 202610, active: false, scored_at: new Date("2026-11-27T03:00:01Z") }
    ]
    const spec = { event: "Churn Scored", customerId: "user_id", empty: "null" as const }
    const { plan, messages, compiled } = planFor({ spec, rows: warehouseRows, types })
    const payload = payloadOf(plan)
    expect(payload.properties.churn_score!.type).toBe("number")
    expect(payload.properties.decile!.type).toEqual(["integer", "null"])
    expect(payload.properties.cohort!.type).toBe("integer")
    expect(payload.properties.active!.type).toBe("boolean")
    expect(payload.properties.scored_at).toMatchObject({ type: "string", format: "date-time" })
    expect(payload.required).toEqual(["churn_score", "cohort", "active", "scored_at"])
    expect(violationsOf(compiled, messages)).toEqual([])
    const fraction = { type: "track", event: "Churn Scored", userId: "u3", properties: { ...JSON.parse(messages[0]!).properties, cohort: 2.5 } }
    expect(compiled.check(fraction).violations.map((v) => v.path)).toEqual(["properties.cohort"])
    // With no row read, only what the source declares NOT NULL is required.
    const empty = planFor({ spec, rows: [], types, notNull: ["churn_score"] })
    expect(payloadOf(empty.plan).required).toEqual(["churn_score"])
    expect(payloadOf(empty.plan).properties.decile!.type).toEqual(["integer", "null"])
  })

  const accounts = [
    { user_id: "u1", account_id: "acme", plan: "pro", seats: "12" },
    { user_id: "u2", account_id: "globex", plan: "free", seats: "3" }
  ]
  const accountTypes: ColumnTypes = {
    user_id: decided("string", "decided"),
    account_id: decided("string", "decided"),
    plan: decided("string", "decided"),
    seats: decided("number", "decided")
  }

  it("gives IDENTIFY and GROUP rules for traits, each with its own columns", () => {
    const { plan, messages, compiled } = planFor({
      spec: { type: "identify,group", customerId: "user_id", groupId: "account_id", traits: ["plan", "seats"], columns: { seats: "integer" } },
      rows: accounts,
      types: accountTypes
    })
    expect(plan.rules.map((rule) => [rule.type, rule.key])).toEqual([
      ["IDENTIFY", undefined],
      ["GROUP", undefined]
    ])
    expect(payloadOf(plan, 1).properties.seats!.type).toBe("integer")
    expect(Object.keys(payloadOf(plan, 1).properties)).toEqual(["plan", "seats"])
    expect(violationsOf(compiled, messages)).toEqual([])
  })

  it("gives the GROUP rule the sync's groupTraits, and IDENTIFY the other columns", () => {
    const { plan, messages, compiled } = planFor({
      spec: { type: "identify,group", customerId: "user_id", groupId: "account_id", groupTraits: ["seats"] },
      rows: accounts,
      types: accountTypes
    })
    expect(Object.keys(payloadOf(plan, 0).properties)).toEqual(["plan"])
    expect(Object.keys(payloadOf(plan, 1).properties)).toEqual(["seats"])
    expect(payloadOf(plan, 1).required).toEqual(["seats"])
    expect(violationsOf(compiled, messages)).toEqual([])
  })
})

import { proposeSync } from "@tablecast/config"
import { parseTrackingPlan } from "@tablecast/tracking-plan"
import { describe, expect, it } from "vitest"
import { type PlanColumn, proposeForPlan } from "./TrackingPlanProposal.ts"

const column = (name: string, kind: string, extra: Partial<PlanColumn> = {}): PlanColumn => ({
  name,
  sourceType: "text",
  kind,
  nullable: false,
  unique: false,
  ...extra
})

const track = (event: string, properties: Record<string, unknown>, required: ReadonlyArray<string> = []) => ({
  type: "TRACK",
  key: event,
  version: 1,
  jsonSchema: { type: "object", properties: { properties: { type: "object", properties, required } } }
})

const columns = [
  column("customer_id", "string", { unique: true }),
  column("churn_score", "number", { unique: true }),
  column("tier", "string"),
  column("rfm_recency", "number"),
  column("Days Active", "number"),
  column("internal_flag", "boolean"),
  column("scored_at", "timestamp")
]

const propose = (rules: ReadonlyArray<unknown>) =>
  proposeForPlan({ columns, base: proposeSync({ columns }, "churn_scores"), plan: parseTrackingPlan({ rules }, "plan.json"), file: "plan.json" })

describe("a sync proposed for a tracking plan", () => {
  it("supplies each planned property from the column of its name but for case, underscores and spaces, renamed", () => {
    const proposal = propose([
      track("Churn Scored", {
        churnScore: { type: "number" },
        rfm: { type: "object", properties: { recency: { type: "integer" } } },
        days_active: { type: "number" },
        tier: { type: "string" }
      })
    ])
    expect(proposal.spec).toMatchObject({
      type: "track",
      event: "Churn Scored",
      customerId: "customer_id",
      timestamp: "scored_at",
      properties: ["churn_score", "rfm_recency", "Days Active", "tier"],
      rename: { churn_score: "churnScore", rfm_recency: "rfm.recency", "Days Active": "days_active" }
    })
    // The plan wants a whole number: the column is declared integer, and a fraction stops its row.
    expect((proposal.spec as { columns: Record<string, string> }).columns.rfm_recency).toBe("integer")
    expect(proposal.notes).toContain('property "churnScore" <- column "churn_score" (renamed)')
    expect(proposal.notes).toContain('columns the plan does not name, left out: "internal_flag"')
    expect(proposal.trackingPlan.rule?.matches.find((m) => m.property === "tier")?.by).toBe("exact")
  })

  it("names a property whose column has another type, and a required property no column supplies", () => {
    const proposal = propose([
      track("Churn Scored", { churn_score: { type: "number" }, tier: { type: "number" }, segment: { type: "string" } }, ["churn_score", "segment"])
    ])
    expect(proposal.notes).toContain('property "tier": plan says number, column tier is text (left out: a sync would stop every row)')
    expect(proposal.notes).toContain('required property "segment": no column supplies it (a sync would stop every row)')
    expect(proposal.trackingPlan.rule).toMatchObject({
      missingRequired: ["segment"],
      misfits: [{ property: "tier", column: "tier", planned: ["number"], actual: "text" }]
    })
    expect((proposal.spec as { properties: Array<string> }).properties).toEqual(["churn_score"])
  })

  it("gives the customer id as a property too when the plan asks for it", () => {
    const proposal = propose([track("Churn Scored", { customerId: { type: "string" }, churn_score: { type: "number" } })])
    expect(proposal.spec).toMatchObject({
      customerId: "customer_id",
      properties: ["customer_id", "churn_score"],
      rename: { customer_id: "customerId" }
    })
  })

  it("declares a number column string where the plan wants text", () => {
    const proposal = propose([track("Churn Scored", { churn_score: { type: ["string", "null"] } })])
    expect(proposal.spec).toMatchObject({ properties: ["churn_score"], columns: { churn_score: "string" } })
  })

  it("takes the event of the TRACK rule the columns cover best, and lists the others", () => {
    const proposal = propose([
      track("Page Scored", { page: { type: "string" } }),
      track("Churn Scored", { churn_score: { type: "number" }, tier: { type: "string" } }),
      track("Tier Changed", { tier: { type: "string" } })
    ])
    expect(proposal.spec).toMatchObject({ event: "Churn Scored" })
    expect(proposal.trackingPlan.others.map((other) => other.rule)).toEqual(['TRACK "Tier Changed" v1', 'TRACK "Page Scored" v1'])
    expect(proposal.notes).toContain('other rule TRACK "Page Scored" v1: 0 of its 1 properties supplied')
  })

  it("proposes identify traits for a plan with only an IDENTIFY rule", () => {
    const proposal = propose([
      { type: "IDENTIFY", version: 1, jsonSchema: { properties: { traits: { properties: { churnScore: { type: "number" } } } } } }
    ])
    expect(proposal.spec).toMatchObject({ type: "identify", traits: ["churn_score"], rename: { churn_score: "churnScore" } })
    expect(proposal.spec).not.toHaveProperty("event")
  })
})

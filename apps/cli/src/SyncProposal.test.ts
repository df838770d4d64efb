import { type ColumnSummary, SyncSpec } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { proposeSync } from "./SyncProposal.ts"

const column = (name: string, kind: ColumnSummary["kind"], more: Partial<ColumnSummary> = {}): ColumnSummary => ({
  name,
  sourceType: "text",
  kind,
  nullable: false,
  unique: false,
  samples: [],
  ...more
})

describe("proposeSync", () => {
  it("picks the unique, id-like column, the timestamp, and types the rest", () => {
    const { spec, notes } = proposeSync(
      {
        description: "CSV",
        estimatedRows: 10,
        columns: [
          column("email", "string", { unique: true }),
          column("customer_id", "number", { unique: true }),
          column("churn_score", "number"),
          column("decile", "number"),
          column("scored_at", "timestamp")
        ]
      },
      "churn_scores.csv"
    )
    expect(spec).toEqual({
      type: "track",
      event: "Churn Scores",
      customerId: "customer_id",
      properties: ["email", "churn_score", "decile"],
      timestamp: "scored_at",
      columns: { churn_score: "number", decile: "number", customer_id: "string" }
    })
    expect(SyncSpec.safeParse(spec).success).toBe(true)
    expect(notes[0]).toMatch(/customerId "customer_id": an id-like name, unique in the rows seen, never empty/)
  })

  it("never proposes a column with repeated values as the customer id", () => {
    const { spec, notes } = proposeSync(
      { description: "x", estimatedRows: 1, columns: [column("user_id", "string", { unique: false }), column("score", "number")] },
      "public.scores"
    )
    expect(spec.customerId).toBeUndefined()
    expect(notes[0]).toMatch(/no column looks like a customer id/)
  })

  it("leaves warehouse columns untyped (their values are typed already) and binary columns out", () => {
    const { spec } = proposeSync(
      {
        description: "pg",
        estimatedRows: 1,
        columns: [
          column("user_id", "string", { sourceType: "text", unique: undefined }),
          column("ltv", "decimal", { sourceType: "numeric" }),
          column("photo", "binary", { sourceType: "bytea" })
        ]
      },
      "public.customers"
    )
    expect(spec).toMatchObject({ customerId: "user_id", properties: ["ltv"], columns: { user_id: "string" } })
  })
})

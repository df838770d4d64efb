import { SyncSpec } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { type ColumnFacts, proposeSync } from "./SyncProposal.ts"

const column = (name: string, kind: string, more: Partial<ColumnFacts> = {}): ColumnFacts => ({
  name,
  sourceType: "text",
  kind,
  nullable: false,
  unique: false,
  ...more
})

describe("proposeSync for an account-like table", () => {
  for (const name of ["account_id", "company_id", "org_id", "group_id", "accountId"]) {
    it(`proposes group calls keyed on a unique, never-empty ${name}, tied to the owner, the rest as traits`, () => {
      const { spec, notes } = proposeSync(
        {
          columns: [
            column(name, "string", { unique: true }),
            column("owner_id", "string"),
            column("name", "string", { unique: true }),
            column("employees", "number"),
            column("churn_risk", "number"),
            column("scored_at", "timestamp")
          ]
        },
        "accounts.csv"
      )
      expect(spec).toEqual({
        type: "group",
        groupId: name,
        customerId: "owner_id",
        traits: ["name", "employees", "churn_risk"],
        timestamp: "scored_at",
        columns: { employees: "number", churn_risk: "number", owner_id: "string", [name]: "string" }
      })
      expect(notes[0]).toContain(`groupId "${name}"`)
      // What it proposes is a sync that checks.
      expect(SyncSpec.safeParse(spec).success).toBe(true)
    })
  }

  it("does not take a repeated or sometimes-empty account id for a group id (a table of users with their account)", () => {
    for (const account of [column("account_id", "string", { unique: false }), column("account_id", "string", { unique: true, nullable: true })]) {
      const { spec } = proposeSync({ columns: [column("user_id", "string", { unique: true }), account, column("score", "number")] }, "users.csv")
      expect(spec.type).toBe("track")
      expect(spec).not.toHaveProperty("groupId")
      expect(spec.customerId).toBe("user_id")
    }
  })

  it("takes a dbt test's word for uniqueness, and says when no member column is there to tie to", () => {
    const declared = { by: "dbt", unique: true, notNull: true, description: undefined }
    const { spec, notes } = proposeSync(
      {
        columns: [
          column("org_id", "number", { unique: undefined, nullable: undefined, sourceType: "bigint", declared }),
          column("arr", "decimal", { sourceType: "numeric" })
        ]
      },
      "orgs"
    )
    expect(spec).toEqual({ type: "group", groupId: "org_id", traits: ["arr"] })
    expect(notes[1]).toMatch(/no column looks like a member's id: set customerId/)
  })
})

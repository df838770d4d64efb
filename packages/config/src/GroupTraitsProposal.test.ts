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

describe("proposeSync splits a user's and an account's columns into identify and group traits", () => {
  it("a table of members with their account's columns: identify,group, the account_*/company_* columns as group traits", () => {
    const { spec, notes } = proposeSync(
      {
        columns: [
          column("user_id", "string", { unique: true }),
          column("account_id", "string"),
          column("email", "string", { unique: true }),
          column("seat_churn", "number"),
          column("account_tier", "string"),
          column("company_size", "number"),
          column("industry", "string")
        ]
      },
      "seats.csv"
    )
    expect(spec).toEqual({
      type: "identify,group",
      customerId: "user_id",
      groupId: "account_id",
      traits: ["email", "seat_churn"],
      groupTraits: ["account_tier", "company_size", "industry"],
      columns: { seat_churn: "number", company_size: "number", user_id: "string", account_id: "string" }
    })
    expect(notes.join("\n")).toContain('groupId "account_id": the account of each member')
    expect(SyncSpec.safeParse(spec).success).toBe(true)
  })

  it("a table of accounts with its owner's columns: identify,group, the owner_* columns as the owner's identify traits", () => {
    const { spec } = proposeSync(
      {
        columns: [
          column("account_id", "string", { unique: true }),
          column("owner_id", "string"),
          column("owner_email", "string"),
          column("name", "string", { unique: true }),
          column("churn_risk", "number")
        ]
      },
      "accounts.csv"
    )
    expect(spec).toMatchObject({
      type: "identify,group",
      customerId: "owner_id",
      groupId: "account_id",
      traits: ["owner_email"],
      groupTraits: ["name", "churn_risk"]
    })
    expect(SyncSpec.safeParse(spec).success).toBe(true)
  })

  it("stays as before where the names do not tell: a members' table without account columns, an accounts' table without owner columns", () => {
    const members = proposeSync(
      { columns: [column("user_id", "string", { unique: true }), column("account_id", "string"), column("score", "number")] },
      "users.csv"
    )
    expect(members.spec.type).toBe("track")
    const accounts = proposeSync(
      { columns: [column("account_id", "string", { unique: true }), column("owner_id", "string"), column("arr", "number")] },
      "accounts.csv"
    )
    expect(accounts.spec).toMatchObject({ type: "group", traits: ["arr"] })
    expect(accounts.spec).not.toHaveProperty("groupTraits")
  })

  it("does not tie members to an account id that is sometimes empty", () => {
    const { spec } = proposeSync(
      {
        columns: [
          column("user_id", "string", { unique: true }),
          column("account_id", "string", { nullable: true }),
          column("account_tier", "string"),
          column("email", "string")
        ]
      },
      "users.csv"
    )
    expect(spec.type).toBe("track")
  })
})

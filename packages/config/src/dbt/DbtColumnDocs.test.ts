import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { type ColumnFacts, proposeSync } from "../SyncProposal.ts"
import { findDbtModel, parseDbtManifest } from "./DbtManifest.ts"
import { withDbtColumnDocs } from "./DbtColumnDocs.ts"

const manifest = parseDbtManifest(JSON.parse(readFileSync(new URL("fixtures/manifest-v12-postgres.json", import.meta.url), "utf8")), "m")
const column = (name: string, kind = "number"): ColumnFacts => ({ name, sourceType: "bigint", kind, nullable: true, unique: undefined })

describe("withDbtColumnDocs", () => {
  it("proposes the column dbt tests unique and not_null as the customer id, over an id-like name the project does not test", () => {
    // A warehouse says neither uniqueness nor (here) nullability: without dbt, account_id would do as well.
    const columns = [column("account_id"), column("CUSTOMER_ID"), column("churn_score")]
    const without = proposeSync({ columns }, "churn_scores")
    expect(without.spec.customerId).toBe("account_id")
    const proposal = proposeSync({ columns: withDbtColumnDocs(columns, findDbtModel(manifest, "churn.churn_scores")) }, "churn_scores")
    expect(proposal.spec.customerId).toBe("CUSTOMER_ID")
    expect(proposal.notes[0]).toBe(
      `customerId "CUSTOMER_ID": an id-like name, tested unique and not_null by dbt model churn_scores, documented as "The customer's id in the CRM; one row per customer.", uniqueness unknown, some values empty (those rows will be rejected)`
    )
  })

  it("proposes a column dbt tests unique though the warehouse has no unique index on it", () => {
    const columns = [
      { ...column("customer_id"), unique: false },
      { ...column("account_id"), unique: false }
    ]
    expect(proposeSync({ columns }, "t").spec.customerId).toBeUndefined()
    expect(proposeSync({ columns: withDbtColumnDocs(columns, findDbtModel(manifest, "churn.churn_scores")) }, "t").spec.customerId).toBe(
      "customer_id"
    )
  })

  it("leaves undocumented columns as they were", () => {
    const [documented, other] = withDbtColumnDocs([column("customer_id"), column("extra")], findDbtModel(manifest, "churn.churn_scores"))
    expect(documented?.declared).toMatchObject({ unique: true, notNull: true })
    expect(other).toEqual(column("extra"))
  })
})

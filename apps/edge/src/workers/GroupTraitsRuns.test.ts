import { SELF } from "cloudflare:test"
import { describe, expect, inject, it } from "vitest"
import { runRequest } from "../testing/edgeClient.ts"
import { sinkMessages } from "../testing/sinkClient.ts"

const sinkUrl = inject("sinkUrl")

/** Seats of accounts: the user's columns, then the account's; ids unique to one test run. */
const seatRows = (count: number, run: string): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, index) => ({
    account_id: `${run}-acct-${index + 1}`,
    owner_id: `${run}-u-${index + 1}`,
    email: `owner${index + 1}@example.test`,
    account_tier: index % 2 === 0 ? "gold" : "silver",
    account_churn: (index % 100) / 100
  }))

describe("group traits in a run request, in workerd against the local receiver", () => {
  it("sends the account's columns on the group calls and the user's on the identify calls", async () => {
    const run = crypto.randomUUID()
    const rows = seatRows(50, run)
    const spec = {
      name: `group-traits-${run}`,
      type: ["identify", "group"],
      customerId: "owner_id",
      groupId: "account_id",
      groupTraits: ["account_tier", "account_churn"],
      rename: { account_churn: "scores.churn" }
    }
    const response = await SELF.fetch(runRequest({ spec, rows }))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ outcome: "completed", messages: { accepted: 100, refused: 0 } })

    const ours = (await sinkMessages(sinkUrl)).filter((message) => String(message.userId).startsWith(`${run}-`))
    const identifies = ours.filter((message) => message.type === "identify")
    const groups = ours.filter((message) => message.type === "group")
    expect(identifies).toHaveLength(50)
    expect(groups).toHaveLength(50)
    const byUser = new Map(rows.map((row) => [row.owner_id, row]))
    for (const identify of identifies) expect(identify.traits).toEqual({ email: byUser.get(identify.userId as string)!.email })
    for (const group of groups) {
      const row = byUser.get(group.userId as string)!
      expect(group.groupId).toBe(row.account_id)
      expect(group.traits).toEqual({ account_tier: row.account_tier, scores: { churn: row.account_churn } })
    }
  })

  it("answers 400 naming spec.groupTraits for group traits without group calls", async () => {
    const spec = { name: "group-traits-none", type: "identify", customerId: "owner_id", groupTraits: ["account_tier"] }
    const response = await SELF.fetch(runRequest({ spec, rows: seatRows(1, "none") }))
    expect(response.status).toBe(400)
    expect(JSON.stringify(await response.json())).toContain("spec.groupTraits: group traits are sent by group calls only")
  })
})

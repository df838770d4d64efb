import { SELF } from "cloudflare:test"
import { describe, expect, inject, it } from "vitest"
import { auth, runRequest } from "../testing/edgeClient.ts"
import { sinkDelta, sinkStats } from "../testing/sinkClient.ts"

const sinkUrl = inject("sinkUrl")

const accountRows = (count: number): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, index) => ({
    account_id: `acct-${index + 1}`,
    owner_id: `u-${index + 1}`,
    name: `Account ${index + 1}`,
    plan: index % 2 === 0 ? "gold" : "silver",
    churn_risk: (index % 100) / 100
  }))

const groupSpec = (name: string) => ({
  name: `${name}-${crypto.randomUUID()}`,
  type: ["identify", "group"],
  customerId: "owner_id",
  groupId: "account_id",
  traits: ["name", "plan", "churn_risk"]
})

describe("group calls in a run request, in workerd against the local receiver", () => {
  it("delivers an identify and a group call per row; a row without a group id is rejected, naming the column", async () => {
    const rows = accountRows(300)
    rows[41] = { ...rows[41], account_id: "" }
    const before = await sinkStats(sinkUrl)
    const response = await SELF.fetch(runRequest({ spec: groupSpec("group-json"), rows }))
    expect(response.status).toBe(200)
    const report = (await response.json()) as any
    expect(report).toMatchObject({ outcome: "completed", rows: { read: 300, mapped: 299, rejected: 1 }, messages: { accepted: 598, refused: 0 } })
    expect(report.rejects.sample).toEqual([
      expect.objectContaining({ row: 42, stage: "validation", column: "account_id", reason: 'group id column "account_id" is empty' })
    ])
    // The receiver refuses a group call without a groupId or a user: every one it holds has both.
    expect(sinkDelta(before, await sinkStats(sinkUrl))).toMatchObject({ messagesAccepted: 598, uniqueMessageIds: 598 })
  })

  it("takes a CSV run's group spec from its header", async () => {
    const csv = `account_id,owner_id,name,plan,churn_risk\n${accountRows(20)
      .map((row) => [row.account_id, row.owner_id, row.name, row.plan, row.churn_risk].join(","))
      .join("\n")}\n`
    const before = await sinkStats(sinkUrl)
    const response = await SELF.fetch("http://edge.test/v1/runs", {
      method: "POST",
      headers: { ...auth, "content-type": "text/csv", "x-tablecast-spec": JSON.stringify({ ...groupSpec("group-csv"), type: "group" }) },
      body: csv
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ outcome: "completed", messages: { accepted: 20 } })
    expect(sinkDelta(before, await sinkStats(sinkUrl)).messagesAccepted).toBe(20)
  })

  it("answers 400 naming spec.groupId for a group run without one", async () => {
    const { groupId: _groupId, ...spec } = groupSpec("group-none")
    const response = await SELF.fetch(runRequest({ spec, rows: accountRows(1) }))
    expect(response.status).toBe(400)
    expect(JSON.stringify(await response.json())).toContain("spec.groupId: a group call needs a group id column (groupId)")
  })
})

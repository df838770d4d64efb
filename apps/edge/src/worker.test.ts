import { SELF } from "cloudflare:test"
import { describe, expect, inject, it } from "vitest"
import { scoreRows, TestToken } from "../test/rows.ts"
import { sinkDelta, sinkStats } from "../test/sinkClient.ts"

const sinkUrl = inject("sinkUrl")
const auth = { authorization: `Bearer ${TestToken}` }

describe("sync run", () => {
  it("delivers 5,000 JSON rows once per messageId", async () => {
    const before = await sinkStats(sinkUrl)
    const response = await SELF.fetch("http://edge.test/v1/runs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        spec: { name: `json-5000-${crypto.randomUUID()}`, event: "Sales Prediction", customerId: "customer_id" },
        rows: scoreRows(5_000)
      })
    })
    const report = (await response.json()) as any
    console.log(JSON.stringify(report).slice(0, 1500))
    expect(response.status).toBe(200)
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta).toEqual({ messagesAccepted: 5_000, uniqueMessageIds: 5_000, duplicateMessageIds: 0, droppedMessages: 0 })
  })
})

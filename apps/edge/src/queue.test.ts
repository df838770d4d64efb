import { SELF } from "cloudflare:test"
import { describe, expect, inject, it } from "vitest"
import { scoreRows, TestToken } from "../test/rows.ts"
import { sinkDelta, sinkStats } from "../test/sinkClient.ts"

const sinkUrl = inject("sinkUrl")
const auth = { authorization: `Bearer ${TestToken}` }

const waitForDone = async (runId: string, timeoutMillis: number) => {
  const deadline = Date.now() + timeoutMillis
  for (;;) {
    const response = await SELF.fetch(`http://edge.test/v1/runs/${runId}`, { headers: auth })
    const status = (await response.json()) as any
    if (status.state === "done") return status
    if (Date.now() > deadline) throw new Error(`run not done: ${JSON.stringify(status)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

describe("queued run", () => {
  it("delivers 100,000 rows through the queue", async () => {
    const before = await sinkStats(sinkUrl)
    const t0 = Date.now()
    const response = await SELF.fetch("http://edge.test/v1/runs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        spec: { name: `queue-100k-${crypto.randomUUID()}`, event: "Sales Prediction", customerId: "customer_id" },
        options: { batchCount: 500 },
        rows: scoreRows(100_000)
      })
    })
    const accepted = (await response.json()) as any
    console.log(response.status, JSON.stringify(accepted), Date.now() - t0)
    expect(response.status).toBe(202)
    const status = await waitForDone(accepted.runId, 120_000)
    console.log(JSON.stringify(status), Date.now() - t0)
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta).toEqual({ messagesAccepted: 100_000, uniqueMessageIds: 100_000, duplicateMessageIds: 0, droppedMessages: 0 })
  }, 180_000)
})

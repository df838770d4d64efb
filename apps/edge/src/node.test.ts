import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { type NodeServer, startNodeServer } from "./node.ts"
import { scoreCsv, scoreRows, TestToken } from "./testing/rows.ts"
import { sinkDelta, sinkStats } from "./testing/sinkClient.ts"
import { TestWriteKeys } from "./testing/sinkSetup.ts"

const sinkUrl = inject("sinkUrl")
const webhookUrl = inject("webhookUrl")
const auth = { authorization: `Bearer ${TestToken}` }
let server: NodeServer

beforeAll(async () => {
  server = await startNodeServer({
    port: 0,
    env: {
      TABLECAST_TOKEN: TestToken,
      SEGMENT_WRITE_KEY: TestWriteKeys[0],
      SEGMENT_ENDPOINT: sinkUrl,
      SYNC_MAX_ROWS: "3000",
      LOG_LEVEL: "silent"
    }
  })
})

afterAll(async () => {
  await server.close()
})

const uniqueSpec = (name: string) => ({ name: `${name}-${crypto.randomUUID()}`, event: "Churn Score", customerId: "customer_id" })

describe("the Node entry (@hono/node-server, node:http transport)", () => {
  it("serves /health on loopback", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${server.url}/health`)
    expect(await response.json()).toEqual({ status: "ok", service: "tablecast-edge", runtime: "node" })
  })

  it("delivers a JSON run to the receiver once per messageId", async () => {
    const before = await sinkStats(sinkUrl)
    const response = await fetch(`${server.url}/v1/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ spec: uniqueSpec("node-json"), rows: scoreRows(2_500) })
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ outcome: "completed", messages: { accepted: 2_500 } })
    expect(sinkDelta(before, await sinkStats(sinkUrl))).toEqual({
      messagesAccepted: 2_500,
      uniqueMessageIds: 2_500,
      duplicateMessageIds: 0,
      droppedMessages: 0
    })
  })

  it("checks a CSV run against the tracking plan in its spec, as the worker does", async () => {
    const trackingPlan = {
      rules: [
        {
          type: "TRACK",
          key: "Churn Score",
          version: 2,
          jsonSchema: { properties: { properties: { properties: { segment: { enum: ["high"] } } } } }
        }
      ]
    }
    const response = await fetch(
      `${server.url}/v1/runs?spec=${encodeURIComponent(JSON.stringify({ ...uniqueSpec("node-plan"), trackingPlan }))}`,
      {
        method: "POST",
        headers: { ...auth, "content-type": "text/csv" },
        body: scoreCsv(9)
      }
    )
    const report = (await response.json()) as any
    expect(report.rows).toMatchObject({ read: 9, mapped: 3, rejected: 6 })
    expect(report.trackingPlan).toMatchObject({
      plan: "spec.trackingPlan",
      mode: "reject",
      violations: 6,
      byRule: { 'TRACK "Churn Score" v2': 6 }
    })
    expect(report.rejects.sample[0].reason).toBe('properties.segment: must be one of "high", got string (TRACK "Churn Score" v2)')
  })

  it("delivers a CSV run with a per-request write key", async () => {
    const before = await sinkStats(sinkUrl)
    const response = await fetch(`${server.url}/v1/runs`, {
      method: "POST",
      headers: {
        ...auth,
        "content-type": "text/csv",
        "x-tablecast-spec": JSON.stringify(uniqueSpec("node-csv")),
        "x-segment-write-key": TestWriteKeys[1]
      },
      body: scoreCsv(700)
    })
    expect(response.status).toBe(200)
    expect(sinkDelta(before, await sinkStats(sinkUrl)).uniqueMessageIds).toBe(700)
  })

  it("refuses a run without the token with 401", async () => {
    const response = await fetch(`${server.url}/v1/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ spec: uniqueSpec("node-401"), rows: [] })
    })
    expect(response.status).toBe(401)
  })

  it("has no queue: a run over the synchronous budget, or mode=queue, gets 413", async () => {
    const over = await fetch(`${server.url}/v1/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ spec: uniqueSpec("node-413"), rows: scoreRows(3_001) })
    })
    expect(over.status).toBe(413)
    expect(await over.json()).toMatchObject({ message: expect.stringContaining("no queue") })
    const queued = await fetch(`${server.url}/v1/runs?mode=queue`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ spec: uniqueSpec("node-queue"), rows: scoreRows(1) })
    })
    expect(queued.status).toBe(413)
  })

  it("keeps no run history: GET /v1/runs answers 404 saying why", async () => {
    const response = await fetch(`${server.url}/v1/runs`, { headers: auth })
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ message: expect.stringContaining("no run history") })
  })

  it("sends a run's alert after its answer, from the request's X-Tablecast-Notify", async () => {
    const name = crypto.randomUUID()
    const response = await fetch(`${server.url}/v1/runs`, {
      method: "POST",
      headers: {
        ...auth,
        "content-type": "application/json",
        "x-tablecast-notify": JSON.stringify({ url: `${webhookUrl}/hook/${name}`, on: ["success"], format: "json" })
      },
      body: JSON.stringify({ spec: uniqueSpec("node-alert"), rows: scoreRows(30) })
    })
    expect(response.status).toBe(200)
    // On Node the alert is sent once the answer is out: the receiver has it soon after.
    let bodies: Array<any> = []
    for (let i = 0; i < 100 && bodies.length === 0; i++) {
      bodies = ((await (await fetch(`${webhookUrl}/received/${name}`)).json()) as { bodies: Array<any> }).bodies
      if (bodies.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(bodies).toEqual([
      expect.objectContaining({ type: "tablecast.run.alert", trigger: "success", exitCode: 0, counts: expect.objectContaining({ read: 30 }) })
    ])
  })
})

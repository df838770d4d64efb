import { existsSync, readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { unstable_startWorker } from "wrangler"

// The edge's built Worker (apps/edge/.wrangler/dry-run/worker.js) in workerd as a deployment runs it,
// where generating code at run time is refused (Vitest's workerd pool allows it, for its own module
// runner, so tests there cannot tell). A tracking plan is checked here by the interpreting validator.

const edgeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../apps/edge")
const bundle = path.join(edgeDir, ".wrangler/dry-run/worker.js")
const token = "edge-plan-token-0123456789"

/** A Segment-compatible receiver on loopback: answers 200, keeps the messages. */
const received: Array<Record<string, any>> = []
const receiver = createServer((request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    received.push(...(JSON.parse(Buffer.concat(chunks).toString("utf8")).batch as Array<Record<string, any>>))
    response.writeHead(200, { "content-type": "application/json" }).end('{"success":true}')
  })
})
let worker: Awaited<ReturnType<typeof unstable_startWorker>>

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error("apps/edge/.wrangler/dry-run/worker.js is missing: build the edge first")
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  const plain = (value: string) => ({ type: "plain_text" as const, value })
  worker = await unstable_startWorker({
    config: path.join(edgeDir, "wrangler.jsonc"),
    entrypoint: bundle,
    build: { bundle: false },
    bindings: {
      TABLECAST_TOKEN: plain(token),
      SEGMENT_WRITE_KEY: plain("edge-plan-write-key"),
      SEGMENT_ENDPOINT: plain(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`),
      SEGMENT_GZIP: plain("false"),
      LOG_LEVEL: plain("silent")
    },
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, persist: false, logLevel: "none" }
  })
  await worker.ready
}, 120_000)

afterAll(async () => {
  await worker?.dispose()
  receiver.closeAllConnections()
  await new Promise((resolve) => receiver.close(resolve))
})

const plan = {
  rules: [
    {
      type: "TRACK",
      key: "Churn Scored",
      version: 1,
      jsonSchema: { properties: { properties: { properties: { churn_score: { type: "number", maximum: 1 } }, required: ["churn_score"] } } }
    }
  ]
}

describe("a tracking plan in the edge's built Worker, in workerd", () => {
  it("holds no code generation: the bundle carries neither Ajv nor `new Function`", () => {
    const text = readFileSync(bundle, "utf8")
    expect(text).not.toMatch(/new Function\(/)
    expect(text).not.toMatch(/ajv/i)
  })

  it("rejects the rows that break the plan, with the rule named, and sends the others", async () => {
    const rows = [
      { customer_id: "c1", churn_score: 0.4 },
      { customer_id: "c2", churn_score: 1.5 },
      { customer_id: "c3" },
      { customer_id: "c4", churn_score: 0.9 }
    ]
    const before = received.length
    const response = await worker.fetch("http://edge.test/v1/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ spec: { event: "Churn Scored", customerId: "customer_id", trackingPlan: plan }, rows })
    })
    const report = (await response.json()) as Record<string, any>
    expect(report.rows).toMatchObject({ read: 4, mapped: 2, rejected: 2 })
    expect(report.trackingPlan).toMatchObject({ plan: "spec.trackingPlan", mode: "reject", messagesChecked: 4, violations: 2 })
    expect(report.rejects.sample.map((reject: Record<string, unknown>) => [reject.row, reject.reason])).toEqual([
      [2, 'properties.churn_score: must be <= 1, got number (TRACK "Churn Scored" v1)'],
      [3, 'properties.churn_score: required property missing (TRACK "Churn Scored" v1)']
    ])
    expect(received.slice(before).map((message) => message.userId)).toEqual(["c1", "c4"])
  })
})

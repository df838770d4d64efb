import { once } from "node:events"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it, onTestFinished } from "vitest"
import { OptionsError, sync, SyncStoppedError } from "./index.ts"
import { receiver, scoresFolder } from "./Sync.testkit.ts"

const mapping = { event: "Churn Scored", customerId: "customer_id" } as const

/** A webhook on loopback recording each JSON body. */
const webhook = async () => {
  const bodies: Array<Record<string, unknown>> = []
  const server = createServer((request, response) => {
    let text = ""
    request.on("data", (chunk: Buffer) => (text += chunk.toString()))
    request.on("end", () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>)
      response.writeHead(200).end()
    })
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret`, bodies }
}

describe("sync's notify option", () => {
  it("tells the webhook of a success when asked, in the generic JSON format", async () => {
    const sink = await receiver({ writeKeys: ["test"] })
    const hook = await webhook()
    const { file } = await scoresFolder(30)
    const report = await sync({
      source: { type: "csv", path: file },
      ...mapping,
      writeKey: "test",
      destination: { endpoint: sink.url },
      notify: { url: hook.url, on: ["success"], format: "json" }
    })
    expect(report.outcome).toBe("completed")
    expect(hook.bodies).toEqual([
      expect.objectContaining({
        type: "tablecast.run.alert",
        trigger: "success",
        exitCode: 0,
        counts: expect.objectContaining({ read: 30, accepted: 30 })
      })
    ])
  })

  it("tells of a stopped run (write key refused) before rejecting with its error", async () => {
    const sink = await receiver({ writeKeys: ["right"] })
    const hook = await webhook()
    const { file } = await scoresFolder(10)
    const run = sync({
      source: { type: "csv", path: file },
      ...mapping,
      writeKey: "wrong",
      destination: { endpoint: sink.url },
      notify: { url: hook.url }
    })
    await expect(run).rejects.toBeInstanceOf(SyncStoppedError)
    expect(hook.bodies).toHaveLength(1)
    expect((hook.bodies[0] as { text: string }).text).toMatch(/failed — exit 5$/)
  })

  it("refuses bad notify options, naming the field", async () => {
    const { file } = await scoresFolder(1)
    const run = sync({ source: { type: "csv", path: file }, ...mapping, writeKey: "k", notify: { url: "not a url" } })
    await expect(run).rejects.toBeInstanceOf(OptionsError)
    await expect(run).rejects.toMatchObject({ message: expect.stringMatching(/^notify\.url: the webhook URL is not an absolute URL/) })
  })
})

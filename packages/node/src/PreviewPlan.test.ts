import { writeFile } from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { OptionsError, plan, preview, sync } from "./index.ts"
import { receiver, scoresFolder } from "./Sync.testkit.ts"

const mapping = { event: "Churn Scored", customerId: "customer_id" } as const

describe("preview", () => {
  it("gives the messages the first rows would become, and the rows refused, sending nothing", async () => {
    const { file } = await scoresFolder(0)
    await writeFile(file, "customer_id,churn_score\nc1,0.5\n,0.7\nc3,0.9\nc4,0.1\nc5,0.2\n")
    const result = await preview({ source: { type: "csv", path: file }, ...mapping, limit: 2 })
    expect(result.messages.map((message) => [message.type, message.event, message.userId, message.properties])).toEqual([
      ["track", "Churn Scored", "c1", { churn_score: 0.5 }],
      ["track", "Churn Scored", "c3", { churn_score: 0.9 }]
    ])
    expect(result.messages.every((message) => typeof message.messageId === "string")).toBe(true)
    expect(result.rejects.map((reject) => [reject.row, reject.column])).toEqual([[2, "customer_id"]])
    // It stops reading once it has its messages, before the end of the file.
    expect(result.rowsRead).toBeGreaterThanOrEqual(3)
    expect(result.rowsRead).toBeLessThan(5)
  })

  it("names a bad limit", async () => {
    const { file } = await scoresFolder(1)
    const error = await preview({ source: { type: "csv", path: file }, ...mapping, limit: 0 }).catch((failure: unknown) => failure)
    expect(error).toBeInstanceOf(OptionsError)
    expect((error as OptionsError).option).toBe("limit")
  })
})

describe("plan", () => {
  it("counts what an incremental sync would send against its snapshot, and how long it takes", async () => {
    const sink = await receiver()
    const { dir, file } = await scoresFolder(40)
    const options = { source: { type: "csv" as const, path: file }, ...mapping, key: ["customer_id"], cwd: dir }
    const first = await plan({ ...options, pipeline: { maxRps: 2, batchCount: 10 } })
    expect(first.rows).toMatchObject({ read: 40, added: 40, changed: 0, unchanged: 0 })
    expect(first.send.messages).toBe(40)
    expect(first.send.requests).toBe(4)
    expect(first.expectedDuration).toEqual({ seconds: 2, engageSeconds: 0.04 })
    expect(sink.stats().requests).toBe(0)

    const report = await sync({ ...options, writeKey: "test", destination: { endpoint: sink.url } })
    expect(report.messages.accepted).toBe(40)
    await writeFile(
      file,
      `customer_id,churn_score\nc1,0.999\n${Array.from({ length: 39 }, (_, i) => `c${i + 2},${((i + 2) / 1000).toFixed(3)}`).join("\n")}\n`
    )
    const second = await plan(options)
    expect(second.rows).toMatchObject({ read: 40, added: 0, changed: 1, unchanged: 39 })
    expect(second.sample.map((change) => change.key)).toEqual([JSON.stringify(["c1"])])
    expect(sink.stats().messagesAccepted).toBe(40)
  })

  it("needs a key", async () => {
    const { file } = await scoresFolder(1)
    const error = await plan({ source: { type: "csv", path: file }, ...mapping }).catch((failure: unknown) => failure)
    expect(error).toBeInstanceOf(OptionsError)
    expect((error as OptionsError).option).toBe("key")
  })
})

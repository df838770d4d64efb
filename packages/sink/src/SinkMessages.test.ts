import { afterEach, describe, expect, it } from "vitest"
import { type Sink, startSink } from "./Sink.ts"

const sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()))
})

const batchOf = (from: number, to: number) => ({
  batch: Array.from({ length: to - from + 1 }, (_, i) => ({
    type: "identify",
    userId: `u-${from + i}`,
    messageId: `m-${from + i}`,
    traits: { n: from + i }
  }))
})
const post = (sink: Sink, body: unknown) =>
  fetch(`${sink.url}/v1/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from("wk_test:").toString("base64")}` },
    body: JSON.stringify(body)
  })
const kept = async (sink: Sink) => (await (await fetch(`${sink.url}/messages`)).json()) as Array<Record<string, unknown>>

describe("GET /messages", () => {
  it("serves the last keepMessages accepted messages, oldest first, as they arrived", async () => {
    const sink = await startSink({ keepMessages: 5 })
    sinks.push(sink)
    expect((await post(sink, batchOf(1, 4))).status).toBe(200)
    expect((await kept(sink)).map((message) => message.userId)).toEqual(["u-1", "u-2", "u-3", "u-4"])
    expect((await post(sink, batchOf(5, 13))).status).toBe(200)
    const last = await kept(sink)
    expect(last.map((message) => message.userId)).toEqual(["u-9", "u-10", "u-11", "u-12", "u-13"])
    expect(last[4]).toEqual({ type: "identify", userId: "u-13", messageId: "m-13", traits: { n: 13 } })
  })

  it("keeps none by default", async () => {
    const sink = await startSink()
    sinks.push(sink)
    expect((await post(sink, batchOf(1, 3))).status).toBe(200)
    expect(await kept(sink)).toEqual([])
  })
})

import { afterEach, describe, expect, it } from "vitest"
import { type CountingReceiver, messageIdsOf, startCountingReceiver } from "./CountingReceiver.ts"

const body = (ids: ReadonlyArray<string>) =>
  JSON.stringify({
    batch: ids.map((messageId) => ({ type: "track", userId: "1", event: "E", properties: { note: 'say "messageId":"x"' }, messageId })),
    sentAt: new Date().toISOString()
  })

let receiver: CountingReceiver | undefined
afterEach(() => receiver?.close())

const post = (url: string, text: string, headers: Record<string, string> = { authorization: "Basic YTo=" }) =>
  fetch(`${url}/v1/batch`, { method: "POST", body: text, headers: { "content-type": "application/json", ...headers } })

describe("the counting receiver", () => {
  it("finds every messageId of a batch, and only those", () => {
    expect(messageIdsOf(Buffer.from(body(["a-1", "b-2", "c-3"])))).toEqual(["a-1", "b-2", "c-3"])
  })

  it("counts messages, bytes and repeated messageIds, and refuses a batch without a write key", async () => {
    receiver = await startCountingReceiver({ verifyEvery: 1 })
    const first = body(["m1", "m2"])
    expect((await post(receiver.url, first)).status).toBe(200)
    expect((await post(receiver.url, body(["m2", "m3"]))).status).toBe(200)
    expect((await post(receiver.url, body(["m4"]), {})).status).toBe(401)
    const stats = receiver.stats()
    expect(stats).toMatchObject({ requests: 3, messages: 4, distinctMessageIds: 3, duplicateMessageIds: 1, refused: 1, verifyFailures: 0 })
    expect(stats.bytes).toBe(Buffer.byteLength(first) + Buffer.byteLength(body(["m2", "m3"])) + Buffer.byteLength(body(["m4"])))
  })
})

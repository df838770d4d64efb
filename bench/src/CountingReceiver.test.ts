import { afterEach, describe, expect, it, vi } from "vitest"
import { type CountingReceiver, messageIdsOf, startCountingReceiver } from "./CountingReceiver.ts"
import { makeFaultMix } from "./FaultMix.ts"

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

  it("answers every request after the latency, holding none up behind another", async () => {
    const held: Array<{ answer: () => void; delay: number }> = []
    receiver = await startCountingReceiver({
      conditions: { latencyMillis: 80 },
      schedule: (answer, delay) => void held.push({ answer, delay })
    })
    const first = post(receiver.url, body(["a"]))
    const second = post(receiver.url, body(["b"]))
    // Both wait at once: neither was answered, and neither waits for the other to be.
    await vi.waitFor(() => expect(held).toHaveLength(2))
    expect(held.map((entry) => entry.delay)).toEqual([80, 80])
    expect(receiver.stats()).toMatchObject({ requests: 2, accepted: 0, messages: 0 })
    held[1]!.answer()
    expect((await second).status).toBe(200)
    held[0]!.answer()
    expect((await first).status).toBe(200)
    expect(receiver.stats()).toMatchObject({ requests: 2, accepted: 2, messages: 2, distinctMessageIds: 2 })
  })

  it("answers 429 with Retry-After: 1 above its rate, and counts only accepted messages", async () => {
    let now = 0
    receiver = await startCountingReceiver({ conditions: { requestsPerSecond: 2 }, now: () => now })
    const statuses: Array<number> = []
    const retryAfter: Array<string | null> = []
    for (const id of ["a", "b", "c", "d"]) {
      const response = await post(receiver.url, body([id]))
      statuses.push(response.status)
      if (response.status === 429) retryAfter.push(response.headers.get("retry-after"))
    }
    // A burst of two, then over the limit; 500 ms later one token has come back (2 per second).
    now = 500
    statuses.push((await post(receiver.url, body(["c"]))).status)
    statuses.push((await post(receiver.url, body(["d"]))).status)
    expect(statuses).toEqual([200, 200, 429, 429, 200, 429])
    expect(retryAfter).toEqual(["1", "1"])
    expect(receiver.stats()).toMatchObject({ requests: 6, accepted: 3, rateLimited: 3, messages: 3, distinctMessageIds: 3 })
  })

  it("draws the fault mix from its seed: the same counts every time, and resets answer nothing", async () => {
    const seed = 42
    const requests = 200
    const draw = makeFaultMix(seed)
    const expected = { ok: 0, "429": 0, "5xx": 0, reset: 0 }
    for (let i = 0; i < requests; i++) {
      const fault = draw()
      if (fault === "500" || fault === "503") expected["5xx"]++
      else expected[fault]++
    }
    receiver = await startCountingReceiver({ conditions: { faultSeed: seed } })
    const outcomes = { ok: 0, "429": 0, "5xx": 0, reset: 0 }
    for (let i = 0; i < requests; i++) {
      try {
        const response = await post(receiver.url, body([`m${i}`]))
        await response.arrayBuffer()
        if (response.status === 200) outcomes.ok++
        else if (response.status === 429) {
          expect(response.headers.get("retry-after")).toBe("1")
          outcomes["429"]++
        } else if (response.status === 500 || response.status === 503) outcomes["5xx"]++
        else throw new Error(`unexpected status ${response.status}`)
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("unexpected")) throw error
        outcomes.reset++
      }
    }
    expect(outcomes).toEqual(expected)
    expect(expected.reset).toBeGreaterThan(0)
    expect(receiver.stats()).toMatchObject({
      requests,
      accepted: expected.ok,
      faults429: expected["429"],
      serverErrors: expected["5xx"],
      resets: expected.reset,
      messages: expected.ok,
      distinctMessageIds: expected.ok
    })
  })
})

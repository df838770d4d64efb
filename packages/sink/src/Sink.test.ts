import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { type Sink, startSink } from "./Sink.ts"
import type { SinkOptionsInput } from "./SinkOptions.ts"
import { formatSinkStats } from "./SinkStats.ts"

const folder = mkdtempSync(join(tmpdir(), "tablecast-sink-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()))
})

const start = async (options: SinkOptionsInput = {}) => {
  const sink = await startSink(options)
  sinks.push(sink)
  return sink
}

const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`

const track = (n: number, extra: Record<string, unknown> = {}) => ({
  type: "track",
  userId: `user-${n}`,
  event: "Sales Prediction",
  messageId: `msg-${n}`,
  properties: { iphone: 0.734 },
  ...extra
})

interface PostOptions {
  readonly path?: string
  readonly writeKey?: string | null
  readonly gzip?: boolean
  readonly raw?: string | Uint8Array
  readonly headers?: Record<string, string>
}

/** Posts a body to the sink over real HTTP; answers status, JSON body and headers. */
const post = async (sink: Sink, body: unknown, options: PostOptions = {}) => {
  const text = options.raw ?? JSON.stringify(body)
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers }
  if (options.writeKey !== null) headers["authorization"] = basic(options.writeKey ?? "wk_test")
  let payload: string | Uint8Array = text
  if (options.gzip === true) {
    payload = gzipSync(text)
    headers["content-encoding"] = "gzip"
  }
  const response = await fetch(`${sink.url}${options.path ?? "/v1/batch"}`, { method: "POST", headers, body: payload })
  const answer = (await response.json()) as { success: boolean; message?: string }
  return { status: response.status, answer, headers: response.headers }
}

const batchOf = (...messages: Array<unknown>) => ({ batch: messages, sentAt: new Date().toISOString() })

describe("startSink: what it accepts", () => {
  it("accepts a batch, counting requests, messages, bytes and messageIds", async () => {
    const sink = await start()
    const body = batchOf(track(1), track(2), track(3))
    const { status, answer } = await post(sink, body)
    expect(status).toBe(200)
    expect(answer).toEqual({ success: true })
    expect(sink.stats()).toMatchObject({
      requests: 1,
      batchesAccepted: 1,
      messagesAccepted: 3,
      uniqueMessageIds: 3,
      duplicateMessageIds: 0,
      droppedMessages: 0,
      bytesReceived: Buffer.byteLength(JSON.stringify(body)),
      rejectedByStatus: {}
    })
  })

  it("counts a resent messageId as a duplicate", async () => {
    const sink = await start()
    await post(sink, batchOf(track(1), track(2)))
    await post(sink, batchOf(track(2), track(3), track(3)))
    expect(sink.stats()).toMatchObject({ messagesAccepted: 5, uniqueMessageIds: 3, duplicateMessageIds: 2 })
  })

  it("takes gzip bodies", async () => {
    const sink = await start()
    const body = batchOf(...Array.from({ length: 50 }, (_, i) => track(i)))
    expect((await post(sink, body, { gzip: true })).status).toBe(200)
    const stats = sink.stats()
    expect(stats.messagesAccepted).toBe(50)
    expect(stats.bytesReceived).toBe(gzipSync(JSON.stringify(body)).length)
  })

  it("appends accepted messages to a JSONL file with their receivedAt, and nothing else", async () => {
    const out = join(folder, "accepted.jsonl")
    const sink = await start({ out })
    await post(sink, batchOf(track(1), track(2)))
    await post(sink, batchOf(track(3), { type: "track", userId: "x" })) // refused: stores nothing
    await post(sink, { ...track(4), type: undefined, writeKey: "wk_body" }, { path: "/v1/track", writeKey: null })
    await sink.close()
    const lines = readFileSync(out, "utf8").trimEnd().split("\n")
    expect(lines).toHaveLength(3)
    const messages = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(messages.map((m) => m["messageId"])).toEqual(["msg-1", "msg-2", "msg-4"])
    for (const message of messages) expect(Number.isNaN(Date.parse(String(message["receivedAt"])))).toBe(false)
    // A single call takes its type from the path, and the write key never lands in the file.
    expect(messages[2]).toMatchObject({ type: "track", event: "Sales Prediction" })
    expect(readFileSync(out, "utf8")).not.toContain("wk_body")
  })

  it("answers 200 to a batch over 2,500 messages but drops it, as Segment does", async () => {
    const sink = await start()
    const body = batchOf(...Array.from({ length: 2_501 }, (_, i) => track(i)))
    expect((await post(sink, body)).status).toBe(200)
    expect(sink.stats()).toMatchObject({ droppedMessages: 2_501, messagesAccepted: 0, batchesAccepted: 0 })
  })
})

describe("startSink: what it refuses", () => {
  it("refuses a request without a write key, and unknown keys when keys are configured", async () => {
    const sink = await start({ writeKeys: ["wk_good"] })
    const noKey = await post(sink, batchOf(track(1)), { writeKey: null })
    expect(noKey.status).toBe(401)
    expect(noKey.answer).toEqual({ success: false, message: expect.stringMatching(/no write key/) })
    const badKey = await post(sink, batchOf(track(1)), { writeKey: "wk_bad" })
    expect(badKey.status).toBe(401)
    expect(badKey.answer.message).toBe("unknown write key")
    expect((await post(sink, batchOf(track(1)), { writeKey: "wk_good" })).status).toBe(200)
    // Segment also takes the key in the body.
    expect((await post(sink, { ...batchOf(track(2)), writeKey: "wk_good" }, { writeKey: null })).status).toBe(200)
    expect(sink.stats()).toMatchObject({ messagesAccepted: 2, rejectedByStatus: { "401": 2 } })
  })

  it("refuses what is not JSON, not gzip, or has no batch", async () => {
    const sink = await start()
    expect(await post(sink, null, { raw: "{not json" })).toMatchObject({ status: 400, answer: { success: false } })
    const notGzip = await post(sink, null, { raw: "plain", headers: { "content-encoding": "gzip" } })
    expect(notGzip.status).toBe(400)
    expect(notGzip.answer.message).toMatch(/gzip/)
    expect((await post(sink, { messages: [] })).answer.message).toMatch(/no batch array/)
    expect((await post(sink, { batch: [], sentAt: "soon" })).answer.message).toMatch(/sentAt/)
    expect(sink.stats().rejectedByStatus).toEqual({ "400": 4 })
  })

  it("answers 413 to a body over 500 KB, plain or once gunzipped", async () => {
    const sink = await start()
    const big = batchOf(...Array.from({ length: 1_100 }, (_, i) => track(i, { properties: { pad: "p".repeat(500) } })))
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(500 * 1024)
    const plain = await post(sink, big)
    expect(plain.status).toBe(413)
    const zipped = await post(sink, big, { gzip: true })
    expect(zipped.status).toBe(413)
    expect(zipped.answer.message).toMatch(/decompressed/)
    expect(sink.stats()).toMatchObject({ rejectedByStatus: { "413": 2 }, messagesAccepted: 0 })
  })

  it("names the first bad message of a batch and stores none of it", async () => {
    const sink = await start()
    const { status, answer } = await post(sink, batchOf(track(1), track(2, { event: undefined }), track(3, { messageId: undefined })))
    expect(status).toBe(400)
    expect(answer.message).toBe("batch[1]: track call without an event")
    expect(sink.stats()).toMatchObject({ messagesAccepted: 0, uniqueMessageIds: 0 })
    expect(sink.stats().lastRejection).toEqual({ status: 400, message: "batch[1]: track call without an event" })
  })

  it("refuses a message over 32 KB", async () => {
    const sink = await start()
    const { status, answer } = await post(sink, batchOf(track(1, { properties: { pad: "p".repeat(33_000) } })))
    expect(status).toBe(400)
    expect(answer.message).toMatch(/^batch\[0\]: message is \d+ bytes; the limit is 32768$/)
  })

  it("answers 404 to an unknown endpoint and 405 to a GET", async () => {
    const sink = await start()
    expect((await post(sink, batchOf(track(1)), { path: "/v1/purchase" })).status).toBe(404)
    const get = await fetch(`${sink.url}/v1/batch`)
    expect(get.status).toBe(405)
    expect(get.headers.get("allow")).toBe("POST")
    expect(sink.stats().rejectedByStatus).toEqual({ "404": 1, "405": 1 })
  })
})

describe("startSink: faults", () => {
  it("throttles with a Retry-After in seconds, storing nothing", async () => {
    const sink = await start({ throttleShare: 1, retryAfterSeconds: 7 })
    const { status, headers } = await post(sink, batchOf(track(1)))
    expect(status).toBe(429)
    expect(headers.get("retry-after")).toBe("7")
    expect(sink.stats()).toMatchObject({ messagesAccepted: 0, uniqueMessageIds: 0, faults: { throttled: 1 } })
  })

  it("answers 500, 502 or 503 for server errors", async () => {
    const sink = await start({ serverErrorShare: 1 })
    const statuses = new Set<number>()
    for (let i = 0; i < 12; i++) statuses.add((await post(sink, batchOf(track(i)))).status)
    expect([...statuses].every((status) => [500, 502, 503].includes(status))).toBe(true)
    expect(sink.stats()).toMatchObject({ messagesAccepted: 0, faults: { serverErrors: 12 } })
  })

  it("resets the connection without an answer", async () => {
    const sink = await start({ dropShare: 1 })
    await expect(post(sink, batchOf(track(1)))).rejects.toThrow()
    expect(sink.stats()).toMatchObject({ messagesAccepted: 0, faults: { droppedConnections: 1 } })
  })

  it("cuts a 200 answer off mid-body", async () => {
    const sink = await start({ halfWriteShare: 1 })
    await expect(post(sink, batchOf(track(1)))).rejects.toThrow()
    expect(sink.stats()).toMatchObject({ messagesAccepted: 0, faults: { halfWritten: 1 } })
  })

  it("slows the configured share of answers, then answers normally", async () => {
    const sink = await start({ delayMillis: 30 })
    expect((await post(sink, batchOf(track(1)))).status).toBe(200)
    expect(sink.stats()).toMatchObject({ messagesAccepted: 1, faults: { slowed: 1 } })
  })

  it("goes down and comes back, from the API and over HTTP", async () => {
    const sink = await start()
    sink.setFaults({ down: true })
    expect((await post(sink, batchOf(track(1)))).status).toBe(503)
    const update = await fetch(`${sink.url}/faults`, { method: "POST", body: JSON.stringify({ down: false }) })
    expect(update.status).toBe(200)
    expect(await update.json()).toMatchObject({ down: false })
    expect((await post(sink, batchOf(track(1)))).status).toBe(200)
    expect(sink.stats()).toMatchObject({ messagesAccepted: 1, faults: { down: 1 } })
    const refused = await fetch(`${sink.url}/faults`, { method: "POST", body: JSON.stringify({ dropShare: 2 }) })
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { message: string }).message).toMatch(/^dropShare: /)
  })

  it("meets the same faults in the same order for the same seed", async () => {
    const run = async () => {
      const sink = await start({ seed: 5, throttleShare: 0.3, serverErrorShare: 0.3 })
      const statuses: Array<number> = []
      for (let i = 0; i < 20; i++) statuses.push((await post(sink, batchOf(track(i)))).status)
      return statuses
    }
    const first = await run()
    expect(new Set(first).size).toBeGreaterThan(1)
    expect(await run()).toEqual(first)
  })
})

describe("startSink: stats", () => {
  it("serves its stats as JSON on GET /stats and formats them for a terminal", async () => {
    const sink = await start({ throttleShare: 0.5, seed: 3 })
    for (let i = 0; i < 6; i++) await post(sink, batchOf(track(i)))
    await post(sink, null, { raw: "nope" }).catch(() => undefined)
    const served = (await (await fetch(`${sink.url}/stats`)).json()) as unknown
    expect(served).toEqual(sink.stats())
    const text = formatSinkStats(sink.stats())
    expect(text).toMatch(/^requests\s+7$/m)
    expect(text).toMatch(/^faults injected\s+429 ×\d+$/m)
    expect(text).toMatch(/^unique messageIds\s+\d+$/m)
  })
})

import { describe, expect, it } from "vitest"
import { compileMapper, namedColumns } from "./MessageMapper.ts"
import { SyncSpec, type SyncSpecInput } from "./SyncSpec.ts"
import { utf8ByteLength } from "./Utf8.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const mapperFor = (input: SyncSpecInput) => compileMapper(SyncSpec.parse(input), library)
const row = (values: Record<string, unknown>, rowNumber = 1) => ({ rowNumber, values })

const messagesOf = (result: ReturnType<ReturnType<typeof mapperFor>>) => {
  if (!result.ok) throw new Error(`rejected: ${result.reason}`)
  return result.messages.map((message) => JSON.parse(message.json) as Record<string, unknown>)
}

describe("compileMapper", () => {
  const sales = { event: "Sales Prediction", customerId: "customer_id" } as const

  it("maps the design's example row to what analytics.track would send", () => {
    const map = mapperFor(sales)
    const [message] = messagesOf(map(row({ customer_id: "162514333", iphone: "0.734", apple_watch: "0.812" })))
    expect(message).toMatchObject({
      type: "track",
      userId: "162514333",
      event: "Sales Prediction",
      properties: { iphone: 0.734, apple_watch: 0.812 },
      context: { library }
    })
    expect(message!.messageId).toMatch(/^tablecast-[0-9a-f]{32}$/)
  })

  it("gives the same row the same messageId, and a changed row another", () => {
    const map = mapperFor(sales)
    const first = messagesOf(map(row({ customer_id: "1", iphone: "0.5" })))[0]!.messageId
    expect(messagesOf(map(row({ customer_id: "1", iphone: "0.5" }, 99)))[0]!.messageId).toBe(first)
    expect(messagesOf(map(row({ customer_id: "1", iphone: "0.6" })))[0]!.messageId).not.toBe(first)
    expect(messagesOf(map(row({ customer_id: "2", iphone: "0.5" })))[0]!.messageId).not.toBe(first)
    const otherSync = mapperFor({ ...sales, event: "Churn Prediction" })
    expect(messagesOf(otherSync(row({ customer_id: "1", iphone: "0.5" })))[0]!.messageId).not.toBe(first)
  })

  it("keeps the messageId across tablecast versions (the library stays out of the hash)", () => {
    const spec = SyncSpec.parse(sales)
    const a = compileMapper(spec, { name: "tablecast", version: "1.0.0" })(row({ customer_id: "1" }))
    const b = compileMapper(spec, { name: "tablecast", version: "2.0.0" })(row({ customer_id: "1" }))
    expect(messagesOf(a)[0]!.messageId).toBe(messagesOf(b)[0]!.messageId)
  })

  it("selects, renames, nests and types properties; leaves id and timestamp columns out of *", () => {
    const map = mapperFor({
      ...sales,
      timestamp: "predicted_at",
      exclude: ["email"],
      rename: { iphone: "scores.iphone", mac: "scores.mac" },
      columns: { vip: "boolean", customer_id: "string" }
    })
    const [message] = messagesOf(
      map(row({ customer_id: "7", email: "a@b.c", iphone: "0.1", mac: "0.2", vip: "yes", "a.b": "x", predicted_at: "2026-11-28 10:00:00" }))
    )
    expect(message!.properties).toEqual({ scores: { iphone: 0.1, mac: 0.2 }, vip: true, a: { b: "x" } })
    expect(message!.timestamp).toBe("2026-11-28T10:00:00.000Z")
  })

  it("maps an explicit property list only, and identify traits", () => {
    const map = mapperFor({ type: "both", event: "Scored", customerId: "id", properties: ["score"], traits: ["segment"] })
    const messages = messagesOf(map(row({ id: 5, score: "0.9", segment: "champions", other: "x" })))
    expect(messages.map((message) => message.type)).toEqual(["identify", "track"])
    expect(messages[0]!.traits).toEqual({ segment: "champions" })
    expect(messages[1]!.properties).toEqual({ score: 0.9 })
    expect(messages[0]!.messageId).not.toBe(messages[1]!.messageId)
  })

  it("omits empty values by default, or sends null when asked", () => {
    expect(messagesOf(mapperFor(sales)(row({ customer_id: "1", iphone: "" })))[0]!.properties).toEqual({})
    expect(messagesOf(mapperFor({ ...sales, empty: "null" })(row({ customer_id: "1", iphone: "" })))[0]!.properties).toEqual({
      iphone: null
    })
  })

  it("rejects a row with a missing customer id, naming the column", () => {
    const result = mapperFor(sales)(row({ customer_id: "  ", iphone: "0.1" }))
    expect(result).toMatchObject({ ok: false, column: "customer_id", reason: 'customer id column "customer_id" is empty' })
  })

  it("uses the anonymous id when there is no user id", () => {
    const map = mapperFor({ ...sales, anonymousId: "device" })
    const [message] = messagesOf(map(row({ customer_id: "", device: "d-1" })))
    expect(message).toMatchObject({ anonymousId: "d-1" })
    expect(message).not.toHaveProperty("userId")
  })

  it("rejects a value that does not fit its declared type, naming the column", () => {
    const result = mapperFor({ ...sales, columns: { iphone: "number" } })(row({ customer_id: "1", iphone: "n/a" }))
    expect(result).toMatchObject({ ok: false, column: "iphone", reason: 'column "iphone": "n/a" is not a number' })
  })

  it("rejects a message over 32,000 UTF-8 bytes and accepts one just under", () => {
    const map = mapperFor(sales)
    // "é" is 2 bytes: 16,000 of them are 32,000 bytes, before the envelope of the message.
    const big = map(row({ customer_id: "1", blob: "é".repeat(16_000) }))
    expect(big).toMatchObject({ ok: false })
    if (!big.ok) expect(big.reason).toMatch(/over Segment's 32000-byte limit/)
    const small = map(row({ customer_id: "1", blob: "é".repeat(15_500) }))
    expect(small.ok).toBe(true)
    if (small.ok) expect(small.messages[0]!.bytes).toBe(utf8ByteLength(small.messages[0]!.json))
  })

  it("does not take a user column named ok or __proto__ for anything but a property", () => {
    const values = JSON.parse('{"customer_id":"1","ok":"false","__proto__":"x"}') as Record<string, unknown>
    const result = mapperFor(sales)(row(values))
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.messages[0]!.json).toContain('"properties":{"ok":"false","__proto__":"x"}')
  })

  it("reports a clash of a value and a nested object on the same name", () => {
    const result = mapperFor(sales)(row({ customer_id: "1", a: "1", "a.b": "2" }))
    expect(result).toMatchObject({ ok: false, column: "a.b" })
  })

  it("lists the columns a spec names", () => {
    const spec = SyncSpec.parse({ ...sales, timestamp: "t", properties: ["a", "b"] })
    expect(namedColumns(spec)).toEqual(["customer_id", "t", "a", "b"])
  })
})

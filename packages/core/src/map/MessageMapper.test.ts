import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { deterministicMessageId } from "./MessageId.ts"
import { compileMapper, namedColumns, syncNamespace } from "./MessageMapper.ts"
import { SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"
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
    // In another run (another mapper): the same id. In the same run it is a repeat (MessageMapperRepeats.test.ts).
    expect(messagesOf(mapperFor(sales)(row({ customer_id: "1", iphone: "0.5" }, 99)))[0]!.messageId).toBe(first)
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

  it("names an oversized message's largest columns, largest first, leaving out the id columns", () => {
    const map = mapperFor({ ...sales, exclude: ["huge_but_excluded"] })
    const big = map(row({ customer_id: "1", notes: "x".repeat(40_000), title: "t".repeat(100), huge_but_excluded: "y".repeat(50_000) }))
    expect(big).toMatchObject({ ok: false })
    // "notes": 7 bytes of key, a colon, 40,002 of JSON string; "title": 7 + 1 + 102.
    if (!big.ok)
      expect(big.reason).toMatch(/over Segment's 32000-byte limit per message; largest columns: "notes" 40,010 bytes, "title" 110 bytes$/)
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

describe("compileMapper writes messages as JSON.stringify would", () => {
  const pinnedLibrary = { name: "tablecast", version: "0.0.0-test" }
  const idsOf = (input: SyncSpecInput, values: Record<string, unknown>) => {
    const result = compileMapper(SyncSpec.parse(input), pinnedLibrary)({ rowNumber: 1, values })
    if (!result.ok) throw new Error(`rejected: ${result.reason}`)
    return result.messages.map((message) => message.messageId)
  }

  // Ids given by tablecast 0.1.0 before messages were written directly: a re-run must give them again.
  it("keeps the messageIds of earlier versions", () => {
    expect(
      idsOf(
        { event: "Model Scores", customerId: "customer_id", timestamp: "predicted_at" },
        {
          customer_id: "100000001",
          churn_score: "0.2739",
          p_iphone: "0.8",
          ltv_90d: "1234.5",
          rfm_recency: "3",
          segment: "champions",
          predicted_at: "2026-05-01T02:13:45Z"
        }
      )
    ).toEqual(["tablecast-e7272fc143bb739802e00091b1a44f16"])
    expect(
      idsOf(
        { event: "Odd Values", customerId: "id", empty: "null" },
        {
          id: "7",
          a: "007",
          b: "1.50",
          c: "",
          d: "1e5",
          e: "-0",
          f: "0.0000001",
          g: "12345678901234567890",
          h: 'quote " and é 😀',
          i: "0.30000000000000004"
        }
      )
    ).toEqual(["tablecast-2aac5f89ad676dec17342298775a1ee6"])
    expect(
      idsOf(
        { event: "Keys", customerId: "id", rename: { x: "scores.x" } },
        JSON.parse('{"id":"1","2":"two","x":"0.5","a.b":"nested","__proto__":"p","ok":"false"}') as Record<string, unknown>
      )
    ).toEqual(["tablecast-aeda0ea08887d73fdf4a41c698f8f710"])
    expect(
      idsOf(
        {
          type: "both",
          event: "Both",
          customerId: "id",
          anonymousId: "anon",
          properties: ["score"],
          traits: ["segment", "score"],
          timestamp: "t"
        },
        { id: 42, anon: "d-1", score: 0.25, segment: "new", t: "2026-11-28 10:00:00.123" }
      )
    ).toEqual(["tablecast-2b254d9f10f47c69f3b882b168eaff65", "tablecast-42a78774d489ece1f876c8c475f7f368"])
  })

  const names = ["id", "a", "b", "score", "a.b", "b.c", "1", "07", "__proto__", "ok", "é", 'q"uote', "x."] as const
  const rawValue = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.integer().map(String),
    fc.tuple(fc.integer({ min: -999, max: 999 }), fc.nat({ max: 99_999 })).map(([whole, fraction]) => `${whole}.${fraction}`),
    fc.constantFrom("0", "-0", "007", "1.50", "1e5", "0.000001", "0.0000001", "", "  ", "champions", "2026-11-28 10:00:00"),
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom(null, undefined, true, 0.25, -3, Number.MAX_SAFE_INTEGER),
    fc.date({ noInvalidDate: true })
  )
  const specInput = fc.record({
    type: fc.constantFrom("track", "identify", "both", "group", "identify,group,track"),
    empty: fc.constantFrom("omit", "null"),
    nest: fc.boolean(),
    properties: fc.oneof(fc.constant("*" as const), fc.array(fc.constantFrom(...names), { maxLength: 4 })),
    rename: fc.constantFrom({}, { b: "a" }, { score: "scores.value" }, { a: "renamed" }),
    columns: fc.constantFrom({}, { score: "number" }, { a: "string", b: "json" }, { "1": "boolean" }),
    timestamp: fc.constantFrom(undefined, "b"),
    key: fc.constantFrom(undefined, ["id"], ["id", "a"])
  })
  const customerId = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer(), fc.constantFrom("007", " 1", "é"))
  /** Makes the row afresh on each call: the object path may write into an object value (a Date). */
  const rowValues = fc
    .tuple(customerId, fc.dictionary(fc.constantFrom(...names.filter((name) => name !== "id")), rawValue, { maxKeys: 8 }))
    .map(([id, values]) => () => {
      // Built with defineProperty so that "__proto__" is a column like the others.
      const row: Record<string, unknown> = {}
      for (const [name, value] of Object.entries(values)) {
        const copy = value instanceof Date ? new Date(value.getTime()) : value
        Object.defineProperty(row, name, { value: copy, enumerable: true, writable: true, configurable: true })
      }
      row.id = id
      return row
    })

  it("gives what the object path gives, for any spec and row", () => {
    fc.assert(
      fc.property(specInput, rowValues, (input, values) => {
        const spec = SyncSpec.parse({ ...input, event: "Scored", customerId: "id", ...(input.type.includes("group") ? { groupId: "id" } : {}) })
        const direct = compileMapper(spec, pinnedLibrary)({ rowNumber: 3, values: values() })
        const reference = compileMapper(spec, pinnedLibrary, { directPayloads: false })({ rowNumber: 3, values: values() })
        expect(direct).toEqual(reference)
      }),
      { numRuns: 500 }
    )
  })

  it("writes each message body in JSON.stringify's own form, hashed for its messageId", () => {
    fc.assert(
      fc.property(specInput, rowValues, (input, values) => {
        const spec = SyncSpec.parse({
          ...input,
          event: "Scored",
          customerId: "id",
          key: undefined,
          ...(input.type.includes("group") ? { groupId: "id" } : {})
        })
        const result = compileMapper(spec, pinnedLibrary)({ rowNumber: 1, values: values() })
        if (!result.ok) return
        for (const message of result.messages) {
          const { context: _context, messageId, ...content } = JSON.parse(message.json) as Record<string, unknown>
          const body = JSON.stringify(content)
          expect(message.json).toBe(`${body.slice(0, -1)},"context":${JSON.stringify({ library: pinnedLibrary })},"messageId":"${messageId}"}`)
          expect(messageId).toBe(deterministicMessageId(syncNamespace(spec), body))
        }
      }),
      { numRuns: 500 }
    )
  })
})

describe("compileMapper, odd values", () => {
  it("takes a bigint key column", () => {
    const map = compileMapper(SyncSpec.parse({ event: "E", customerId: "id", key: ["id"] }), library)
    const a = map(row({ id: 12n, score: "1" }))
    const b = map(row({ id: 13n, score: "1" }))
    expect(a.ok && b.ok).toBe(true)
    if (a.ok && b.ok) expect(a.messages[0]!.messageId).not.toBe(b.messages[0]!.messageId)
  })

  it("never writes into an object value of the row", () => {
    const when = new Date("2026-01-01T00:00:00Z")
    const values = { id: "1", when, "when.extra": "x" }
    const result = compileMapper(SyncSpec.parse({ event: "E", customerId: "id" }), library)(row(values))
    expect(result).toMatchObject({ ok: false, column: "when.extra" })
    expect(Object.keys(when)).toEqual([])
  })
})

import { describe, expect, it } from "vitest"
import { MESSAGE_ID_SCHEME, repeatMessageId } from "./MessageId.ts"
import { compileMapper, type MappedRow } from "./MessageMapper.ts"
import { SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"
import { utf8ByteLength } from "./Utf8.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const scored = { event: "Scored", customerId: "customer_id" } as const
const mapperFor = (input: SyncSpecInput, options?: Parameters<typeof compileMapper>[2]) => compileMapper(SyncSpec.parse(input), library, options)

const idsOf = (result: MappedRow) => {
  if (!result.ok) throw new Error(`rejected: ${result.reason}`)
  return result.messages.map((message) => message.messageId)
}
/** Maps the rows in order with one mapper (one run): each row's ids. */
const runIds = (input: SyncSpecInput, rows: ReadonlyArray<Record<string, unknown>>) => {
  const map = mapperFor(input)
  return rows.map((values, i) => idsOf(map({ rowNumber: i + 1, values })))
}

const c1 = { customer_id: "c1", score: "0.5" }
const c2 = { customer_id: "c2", score: "0.25" }

describe("identical rows in one run (messageId scheme 2)", () => {
  it("get distinct messageIds", () => {
    const ids = runIds(scored, [c1, { ...c1 }, { ...c1 }]).flat()
    expect(new Set(ids).size).toBe(3)
  })

  it("keep the ids of 71d9773 for a content's first occurrence; the k-th hashes k in", () => {
    // Fixtures: the ids 71d9773 (messageId scheme 1) gave these rows.
    const first = "tablecast-b3d2efa11e3dfd0864bc716bb2508daa"
    const ids = runIds(scored, [c1, c2, c1, c1]).flat()
    expect(ids).toEqual([
      first,
      "tablecast-4ca4707d1864bfae520bb0167670f91d",
      repeatMessageId("track:Scored", first, 2),
      repeatMessageId("track:Scored", first, 3)
    ])
    expect(runIds({ ...scored, type: "both" }, [c1])[0]).toEqual([
      "tablecast-d1e0f99dbaad7657ceb8b0df039b23ae",
      "tablecast-d864e5612e20ff881ea416572dccc776"
    ])
    expect(MESSAGE_ID_SCHEME).toBe(2)
  })

  it("get the same ids when the same table runs again", () => {
    const rows = [c1, c2, c1, c2, c1, { customer_id: "c3", score: "0.5" }]
    expect(runIds(scored, rows)).toEqual(runIds(scored, rows))
  })

  it("are interchangeable: reordering identical rows changes no id", () => {
    const a = runIds(scored, [c1, c2, c1]).flat()
    const b = runIds(scored, [c1, c1, c2]).flat()
    expect(new Set(a)).toEqual(new Set(b))
  })

  it("say they repeat an earlier row", () => {
    const map = mapperFor(scored)
    const repeated = [c1, c2, c1, c1].map((values, i) => {
      const result = map({ rowNumber: i + 1, values })
      return result.ok && result.repeated
    })
    expect(repeated).toEqual([false, false, true, true])
  })

  it("keep one id per content in a keyed sync (its duplicate-key rule stands)", () => {
    const ids = runIds({ ...scored, key: ["customer_id"] }, [c1, c1]).flat()
    expect(ids[0]).toBe(ids[1])
    const map = mapperFor({ ...scored, key: ["customer_id"] })
    expect(map.countsRepeats).toBe(false)
  })

  it("keep one id per content with countRepeats: false (fingerprints, a worker's mapper)", () => {
    const ids = runIds(scored, [c1, c1]).flat()
    const map = mapperFor(scored, { countRepeats: false })
    expect(idsOf(map({ rowNumber: 1, values: c1 }))).toEqual([ids[0]])
    expect(idsOf(map({ rowNumber: 2, values: c1 }))).toEqual([ids[0]])
  })
})

describe("recount: messages built elsewhere with their contents' ids", () => {
  it("numbers them as the mapper would have, in the order given, between the rows it maps", () => {
    const rows = [c1, c2, c1, c1, c2, c1]
    const input = { ...scored, type: "both" } as const
    const expected = mapperFor(input)
    const worker = mapperFor(input, { countRepeats: false })
    const run = mapperFor(input)
    rows.forEach((values, i) => {
      const row = { rowNumber: i + 1, values }
      const reference = expected(row)
      if (!reference.ok) throw new Error("rejected")
      // Even rows come built by the "worker", odd ones are mapped by the run's mapper.
      const got =
        i % 2 === 0
          ? (() => {
              const built = worker(row)
              if (!built.ok) throw new Error("rejected")
              return run.recount(built.messages)
            })()
          : (() => {
              const mapped = run(row)
              if (!mapped.ok) throw new Error("rejected")
              return mapped
            })()
      expect(got.messages).toEqual(reference.messages)
      expect(got.repeated).toBe(reference.repeated)
      for (const message of got.messages) {
        expect(JSON.parse(message.json).messageId).toBe(message.messageId)
        expect(message.bytes).toBe(utf8ByteLength(message.json))
      }
    })
  })

  it("leaves a keyed sync's messages as they are", () => {
    const input = { ...scored, key: ["customer_id"] }
    const built = mapperFor(input)({ rowNumber: 1, values: c1 })
    if (!built.ok) throw new Error("rejected")
    const run = mapperFor(input)
    expect(run.recount(built.messages).messages).toBe(built.messages)
    expect(run.recount(built.messages).messages).toBe(built.messages)
  })
})

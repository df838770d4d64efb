import { describe, expect, it } from "vitest"
import { repeatKey } from "./MessageId.ts"
import { compileMapper, type MappedRow } from "./MessageMapper.ts"
import { SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const scored = { event: "Scored", customerId: "customer_id" } as const
const mapperFor = (input: SyncSpecInput, options?: Parameters<typeof compileMapper>[2]) => compileMapper(SyncSpec.parse(input), library, options)

const idsOf = (result: MappedRow) => {
  if (!result.ok) throw new Error(`rejected: ${result.reason}`)
  return result.messages.map((message) => message.messageId)
}

const c1 = { customer_id: "c1", score: "0.5" }
const c2 = { customer_id: "c2", score: "0.25" }

describe("a mapper that continues earlier rows (`repeatsBefore`)", () => {
  it("numbers on from the counts carried: the ids one mapper over all the rows gives", () => {
    const rows = [c1, c2, c1, c1, c2, c1]
    const whole = mapperFor(scored)
    const expected = rows.flatMap((values, i) => idsOf(whole({ rowNumber: i + 1, values })))
    // The first three rows in one part, the rest in another that knows the first part's counts.
    const plain = mapperFor(scored, { countRepeats: false })
    const before = new Map<string, number>()
    for (const values of rows.slice(0, 3)) {
      const key = repeatKey(idsOf(plain({ rowNumber: 0, values }))[0]!)
      before.set(key, (before.get(key) ?? 0) + 1)
    }
    const head = mapperFor(scored)
    const tail = mapperFor(scored, { repeatsBefore: before })
    const parts = [
      ...rows.slice(0, 3).map((values, i) => idsOf(head({ rowNumber: i + 1, values }))),
      ...rows.slice(3).map((values, i) => idsOf(tail({ rowNumber: i + 4, values })))
    ].flat()
    expect(parts).toEqual(expected)
    expect(new Set(parts).size).toBe(rows.length)
  })

  it("leaves keyed messages their content ids", () => {
    const keyed = { ...scored, key: ["customer_id"] }
    const first = idsOf(mapperFor(keyed)({ rowNumber: 1, values: c1 }))
    const key = repeatKey(first[0]!)
    expect(idsOf(mapperFor(keyed, { repeatsBefore: new Map([[key, 5]]) })({ rowNumber: 2, values: c1 }))).toEqual(first)
  })
})

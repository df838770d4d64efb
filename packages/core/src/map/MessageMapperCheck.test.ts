import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { ContractCheck } from "../contract/MessageContract.ts"
import type { ColumnTypes } from "./ColumnTyping.ts"
import { compileMapper } from "./MessageMapper.ts"
import { SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const PASS: ContractCheck = { violations: [], unplanned: false }

/** Maps a row with a check that records what it was given; gives those objects and the messages' texts. */
const mapChecked = (input: SyncSpecInput, values: Record<string, unknown>, columnTypes?: ColumnTypes) => {
  const seen: Array<unknown> = []
  const map = compileMapper(SyncSpec.parse(input), library, {
    ...(columnTypes === undefined ? {} : { columnTypes }),
    check: (message) => {
      seen.push(message)
      return PASS
    }
  })
  const mapped = map({ rowNumber: 1, values })
  if (!mapped.ok) throw new Error(`rejected: ${mapped.reason}`)
  return { seen, texts: mapped.messages.map((message) => JSON.parse(message.json) as unknown), checks: mapped.checks }
}

describe("a mapper with a check", () => {
  it("checks each message as the object JSON.parse of its text gives: direct payloads", () => {
    const { seen, texts, checks } = mapChecked(
      { event: "Churn Scored", customerId: "id", timestamp: "at", context: { app: { name: "model" } }, integrations: { All: true } },
      { id: "c1", score: "0.25", label: "007", empty: "", at: "2026-05-01T02:00:00Z", flag: true }
    )
    expect(seen).toEqual(texts)
    expect(checks).toEqual([PASS])
    expect((seen[0] as { properties: unknown }).properties).toEqual({ score: 0.25, label: "007", flag: true })
  })

  it("does so for identify and group calls, renamed and nested keys, declared and decided types", () => {
    const spec: SyncSpecInput = {
      type: ["identify", "group"],
      customerId: "owner",
      groupId: "account",
      traits: ["name", "risk", "n", "extra"],
      rename: { risk: "scores.churn" },
      columns: { n: "number", extra: "json" },
      empty: "null"
    }
    const { seen, texts } = mapChecked(spec, { owner: "u1", account: "a1", name: "Acme", risk: "0.5", n: "1e3", extra: '{"a":[1,2]}' })
    expect(seen).toHaveLength(2)
    expect(seen).toEqual(texts)
    const { seen: decided, texts: decidedTexts } = mapChecked(
      { event: "E", customerId: "id" },
      { id: "c1", amount: "12.50", code: "12" },
      { amount: { type: "number", basis: "test" }, code: { type: "string", basis: "test" } }
    )
    expect(decided).toEqual(decidedTexts)
  })

  it("gives JSON.parse's object for any row of strings, numbers, booleans and nulls", () => {
    const value = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null))
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z][a-z_]{0,8}$/), value, { maxKeys: 8 }), (values) => {
        fc.pre(!("id" in values))
        const { seen, texts } = mapChecked({ event: "E", customerId: "id" }, { id: "c1", ...values })
        expect(seen).toEqual(texts)
      }),
      { numRuns: 300 }
    )
  })

  it("gives no checks without a check", () => {
    const mapped = compileMapper(SyncSpec.parse({ event: "E", customerId: "id" }), library)({ rowNumber: 1, values: { id: "c1" } })
    expect(mapped.ok && mapped.checks).toBeUndefined()
  })
})

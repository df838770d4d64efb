import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { ContractCheck, MessageShape, ShapeCheck } from "../contract/MessageContract.ts"
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
    contract: {
      check: (message) => {
        seen.push(message)
        return PASS
      }
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

  describe("and a shape check", () => {
    // The contract: `score` a number at most 0.5 and required, `label` a string; the members untested but userId required.
    const violationsOf = (message: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
      const payload = (message.properties ?? message.traits) as Record<string, unknown>
      const found: Array<string> = []
      if (!("score" in payload)) found.push("score: required")
      else if (typeof payload.score !== "number" || payload.score > 0.5) found.push("score: must be a number <= 0.5")
      if ("label" in payload && typeof payload.label !== "string") found.push("label: must be string")
      if (message.userId === undefined) found.push("userId: required")
      return found
    }
    const checkOf = (message: Readonly<Record<string, unknown>>): ContractCheck => ({
      violations: violationsOf(message).map((text) => ({ path: text.split(":")[0]!, rule: "R", text })),
      unplanned: false
    })
    const shapes: Array<MessageShape> = []
    const shapeCheck: ShapeCheck = {
      unplanned: false,
      member: () => undefined,
      requiredMembers: ["userId"],
      payloadKey: (key) =>
        key === "score"
          ? (value) => typeof value === "number" && value <= 0.5
          : key === "label"
            ? (value) => typeof value === "string"
            : undefined,
      requiredPayloadKeys: ["score"]
    }
    const mapperOf = (gated: boolean, seen: Array<unknown>) =>
      compileMapper(SyncSpec.parse({ event: "E", customerId: "id", anonymousId: "anon", context: { app: "m" } }), library, {
        contract: {
          check: (message) => {
            seen.push(message)
            return checkOf(message)
          },
          ...(gated
            ? {
                checkShape: (shape: MessageShape) => {
                  shapes.push(shape)
                  return shapeCheck
                }
              }
            : {})
        }
      })

    it("is told the shape of each call's messages", () => {
      shapes.length = 0
      mapperOf(true, [])
      expect(shapes).toEqual([
        {
          type: "track",
          fixed: { type: "track", event: "E", context: { app: "m", library } },
          varying: ["userId", "anonymousId", "messageId"],
          payload: "properties"
        }
      ])
    })

    it("passes a message that keeps the contract without building it, and checks one that does not", () => {
      const seen: Array<unknown> = []
      const map = mapperOf(true, seen)
      const passing = map({ rowNumber: 1, values: { id: "c1", score: "0.25", label: "x" } })
      expect(passing.ok && passing.checks).toEqual([PASS])
      expect(seen).toEqual([])
      const failing = map({ rowNumber: 2, values: { id: "c1", score: "0.75", label: "x" } })
      expect(failing.ok && failing.checks?.[0]?.violations.map((violation) => violation.text)).toEqual(["score: must be a number <= 0.5"])
      expect(seen).toEqual([JSON.parse(failing.ok ? failing.messages[0]!.json : "null")])
    })

    it("finds what the check alone finds, for any row", () => {
      const value = fc.oneof(
        fc.constantFrom("0.25", "0.75", "x", "", "1e-3"),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null)
      )
      const gated = mapperOf(true, [])
      const alone = mapperOf(false, [])
      fc.assert(
        fc.property(
          fc.record(
            { id: fc.constantFrom("c1", ""), anon: fc.constantFrom("a1", ""), score: value, label: value },
            { requiredKeys: ["id", "anon"] }
          ),
          (values) => {
            fc.pre(values.id !== "" || values.anon !== "")
            const row = { rowNumber: 1, values }
            const viaGate = gated(row)
            const viaCheck = alone(row)
            expect(viaGate).toEqual(viaCheck)
          }
        ),
        { numRuns: 300 }
      )
    })
  })
})

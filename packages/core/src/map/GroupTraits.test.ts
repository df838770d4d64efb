import { describe, expect, it } from "vitest"
import { compileMapper, namedColumns } from "./MessageMapper.ts"
import { formatIssues, SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const row = (values: Record<string, unknown>, rowNumber = 1) => ({ rowNumber, values })
const messagesOf = (input: SyncSpecInput, values: Record<string, unknown>, directPayloads = true) => {
  const result = compileMapper(SyncSpec.parse(input), library, { directPayloads })(row(values))
  if (!result.ok) throw new Error(`rejected: ${result.reason}`)
  return result.messages.map((message) => JSON.parse(message.json) as Record<string, unknown>)
}
const member = {
  owner_id: "u-7",
  account_id: "acme",
  email: "ada@acme.test",
  seat_role: "admin",
  account_tier: "gold",
  account_churn: "0.31",
  employees: "120"
}
const both: SyncSpecInput = {
  type: "identify,group",
  customerId: "owner_id",
  groupId: "account_id",
  groupTraits: ["account_tier", "account_churn", "employees"]
}

describe("group traits of their own (groupTraits)", () => {
  it("send the account's columns on the group call and keep them off the user's identify", () => {
    const [identify, group] = messagesOf(both, member)
    expect(identify!.type).toBe("identify")
    expect(identify!.traits).toEqual({ email: "ada@acme.test", seat_role: "admin" })
    expect(group!.type).toBe("group")
    expect(group!.groupId).toBe("acme")
    expect(group!.traits).toEqual({ account_tier: "gold", account_churn: 0.31, employees: 120 })
  })

  it("keep an identify traits list as given, even one naming a group trait", () => {
    const [identify, group] = messagesOf({ ...both, traits: ["email", "account_tier"] }, member)
    expect(identify!.traits).toEqual({ email: "ada@acme.test", account_tier: "gold" })
    expect(group!.traits).toEqual({ account_tier: "gold", account_churn: 0.31, employees: 120 })
  })

  it('leave the group traits out of a track call\'s "*" properties too', () => {
    const [, , track] = messagesOf({ ...both, type: "identify,group,track", event: "Seat Scored" }, member)
    expect(track!.properties).toEqual({ email: "ada@acme.test", seat_role: "admin" })
  })

  it("take renames, nesting and column types as identify traits do, written alike directly and through an object", () => {
    const spec: SyncSpecInput = {
      ...both,
      rename: { account_churn: "scores.churn", account_tier: "plan" },
      columns: { employees: "string" }
    }
    for (const direct of [true, false]) {
      const [, group] = messagesOf(spec, member, direct)
      expect(group!.traits).toEqual({ plan: "gold", scores: { churn: 0.31 }, employees: "120" })
    }
    expect(messagesOf(spec, member, true)).toEqual(messagesOf(spec, member, false))
  })

  it("default to the identify traits: the same group messages, messageIds included, as naming the same list", () => {
    const base: SyncSpecInput = { type: "identify,group", customerId: "owner_id", groupId: "account_id", traits: ["account_tier"] }
    const without = messagesOf(base, member)
    const named = messagesOf({ ...base, groupTraits: ["account_tier"] }, member)
    expect(named).toEqual(without)
    expect(without[0]!.traits).toEqual(without[1]!.traits)
  })

  it('with groupTraits "*", send every other column on the group call', () => {
    const [identify, group] = messagesOf({ ...both, traits: ["email"], groupTraits: "*" }, member)
    expect(identify!.traits).toEqual({ email: "ada@acme.test" })
    expect(Object.keys(group!.traits as object)).toEqual(["email", "seat_role", "account_tier", "account_churn", "employees"])
  })

  it("count the group traits among the columns a source must have", () => {
    expect(namedColumns(SyncSpec.parse(both))).toEqual(expect.arrayContaining(["account_tier", "account_churn", "employees"]))
  })

  it("are refused without group in the type, naming the field", () => {
    const result = SyncSpec.safeParse({ type: "identify", customerId: "owner_id", groupTraits: ["account_tier"] })
    expect(result.success).toBe(false)
    if (!result.success)
      expect(formatIssues(result.error)).toBe("groupTraits: group traits are sent by group calls only; add group to the type (identify)")
  })
})

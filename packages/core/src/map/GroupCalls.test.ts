import { describe, expect, it } from "vitest"
import { compileMapper, namedColumns, syncNamespace } from "./MessageMapper.ts"
import { callsOf, SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"
import { formatIssues } from "../spec/SyncSpec.ts"
import { columnTypeLines } from "./ColumnTyping.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const mapperFor = (input: SyncSpecInput) => compileMapper(SyncSpec.parse(input), library)
const row = (values: Record<string, unknown>, rowNumber = 1) => ({ rowNumber, values })
const messagesOf = (result: ReturnType<ReturnType<typeof mapperFor>>) => {
  if (!result.ok) throw new Error(`rejected: ${result.reason}`)
  return result.messages.map((message) => JSON.parse(message.json) as Record<string, unknown>)
}
const account = { customer_id: "u-7", account_id: "acme", name: "Acme Inc", industry: "Retail", employees: "120", churn_risk: "0.31" }

describe("sync types as lists of calls", () => {
  it("spells every set of calls one way, `both` and track,identify alike", () => {
    const typeOf = (type: SyncSpecInput["type"]) =>
      SyncSpec.parse({
        type,
        event: "E",
        customerId: "id",
        ...(callsOf(SyncSpec.shape.type.parse(type)).includes("group") ? { groupId: "g" } : {})
      }).type
    expect(typeOf("both")).toBe("both")
    expect(typeOf("track,identify")).toBe("both")
    expect(typeOf(["identify", "track"])).toBe("both")
    expect(typeOf("group, identify")).toBe("identify,group")
    expect(typeOf("track,group,identify")).toBe("identify,group,track")
    expect(typeOf("both,group")).toBe("identify,group,track")
    expect(callsOf("both")).toEqual(["identify", "track"])
  })

  it("names an unknown call, a group sync without a group id, and a group id without group", () => {
    const problems = (input: SyncSpecInput) => {
      const result = SyncSpec.safeParse(input)
      return result.success ? "" : formatIssues(result.error)
    }
    expect(problems({ type: "identify,page", customerId: "id" })).toContain('type: unknown call type "page"')
    expect(problems({ type: "group", customerId: "id" })).toBe("groupId: a group call needs a group id column (groupId)")
    expect(problems({ type: "identify", customerId: "id", groupId: "account_id" })).toContain(
      "groupId: a group id column is used by group calls only"
    )
    expect(problems({ type: "group", customerId: "id", groupId: "account_id" })).toBe("")
  })
})

describe("group calls", () => {
  it("map a row to a group call: groupId, traits with the reserved ones passed through, tied to the user", () => {
    const map = mapperFor({ type: "group", customerId: "customer_id", groupId: "account_id", rename: { churn_risk: "scores.churn" } })
    const [message, ...others] = messagesOf(map(row(account)))
    expect(others).toEqual([])
    expect(message).toMatchObject({
      type: "group",
      userId: "u-7",
      groupId: "acme",
      traits: { name: "Acme Inc", industry: "Retail", employees: 120, scores: { churn: 0.31 } }
    })
    // The ids are left out of "*" traits, as the customer id is.
    expect(Object.keys(message!.traits as object)).not.toContain("account_id")
    expect(Object.keys(message!)).toEqual(["type", "userId", "groupId", "traits", "context", "messageId"])
  })

  it("send identify, group and track of a row in that order, with different ids", () => {
    const map = mapperFor({
      type: "track,group,identify",
      event: "Account Scored",
      anonymousId: "customer_id",
      groupId: "account_id",
      traits: ["name"],
      properties: ["churn_risk"]
    })
    const messages = messagesOf(map(row(account)))
    expect(messages.map((message) => message.type)).toEqual(["identify", "group", "track"])
    expect(messages.map((message) => message.anonymousId)).toEqual(["u-7", "u-7", "u-7"])
    expect(messages[1]!.traits).toEqual({ name: "Acme Inc" })
    expect(messages[2]!.properties).toEqual({ churn_risk: 0.31 })
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(3)
  })

  it("take column types as identify traits do", () => {
    const map = mapperFor({ type: "group", customerId: "customer_id", groupId: "account_id", columns: { employees: "string", plan: "json" } })
    const [message] = messagesOf(map(row({ ...account, plan: '{"tier":"gold"}' })))
    expect(message!.traits).toMatchObject({ employees: "120", plan: { tier: "gold" } })
  })

  it("reject a row without a group id, naming the column", () => {
    const map = mapperFor({ type: "identify,group", customerId: "customer_id", groupId: "account_id" })
    for (const empty of ["", "  ", null, undefined]) {
      const result = map(row({ ...account, account_id: empty }))
      expect(result).toMatchObject({ ok: false, reason: 'group id column "account_id" is empty', column: "account_id" })
    }
    expect(map(row({ ...account, account_id: { id: 1 } }))).toMatchObject({ ok: false, column: "account_id" })
    expect(map(row({ ...account, account_id: 42 })).ok).toBe(true)
  })

  it("keep the group id among the named columns, and a namespace of their own", () => {
    const spec = SyncSpec.parse({ type: "identify,group", customerId: "customer_id", groupId: "account_id", traits: ["name"] })
    expect(namedColumns(spec)).toContain("account_id")
    expect(syncNamespace(spec)).toBe("identify,group:")
  })

  it("give a changed account a new messageId and an unchanged one the same", () => {
    const map = mapperFor({ type: "group", customerId: "customer_id", groupId: "account_id", key: ["account_id"] })
    const first = messagesOf(map(row(account)))[0]!.messageId
    expect(messagesOf(map(row(account)))[0]!.messageId).toBe(first)
    expect(messagesOf(map(row({ ...account, churn_risk: "0.5" })))[0]!.messageId).not.toBe(first)
  })
})

describe("column types of a group sync", () => {
  it("name the group id column as the groupId, sent as text", () => {
    const spec = SyncSpec.parse({ type: "group", customerId: "customer_id", groupId: "account_id" })
    expect(columnTypeLines(spec, ["customer_id", "account_id"], undefined)).toEqual([
      { column: "customer_id", type: "string", basis: "userId" },
      { column: "account_id", type: "string", basis: "groupId" }
    ])
  })
})

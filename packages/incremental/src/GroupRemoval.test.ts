import { compileMapper, syncNamespace } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { compileChangeDetector } from "./ChangeDetector.ts"
import { IncrementalSpec } from "./IncrementalSpec.ts"
import { IncrementalSyncSpec, type IncrementalSyncSpecInput } from "./IncrementalSyncSpec.ts"
import { compileRemoval, removalCalls } from "./Removal.ts"

const library = { name: "tablecast", version: "test" }
const account = { account_id: "acme", owner_id: "u-7", email: "ada@acme.test", account_tier: "gold", account_churn: "0.31" }
const groupSync: IncrementalSyncSpecInput = {
  type: "group",
  customerId: "owner_id",
  groupId: "account_id",
  groupTraits: ["account_tier", "account_churn"],
  key: ["account_id"]
}

/** The messages a removal of `account` sends, as the receiver would read them. */
const removalOf = (input: IncrementalSyncSpecInput) => {
  const spec = IncrementalSyncSpec.parse(input)
  const settings = spec.incremental === undefined || spec.incremental === false ? IncrementalSpec.parse({}) : spec.incremental
  const key = spec.key!
  const detector = compileChangeDetector(spec, key, settings, library)
  const printed = detector.fingerprint({ rowNumber: 1, values: account })
  if (!printed.ok) throw new Error(printed.reason)
  const keyText = detector.keyOf(account)
  if (!("key" in keyText)) throw new Error("no key")
  const entry = { key: keyText.key, fingerprint: printed.fingerprint, values: detector.snapshotValues(account) }
  const remove = compileRemoval(spec, syncNamespace(spec), key, settings, compileMapper(spec, library), library)
  const built = remove(entry as Parameters<typeof remove>[0], 2)
  if (!built.ok) throw new Error(built.reason)
  return built.messages.map((message) => JSON.parse(message.json) as Record<string, unknown>)
}

describe("what a removal sends by the sync's calls", () => {
  it("clears each call's own traits, and sends the removal event only for syncs with track calls unless named", () => {
    const calls = (input: IncrementalSyncSpecInput, removed?: IncrementalSpec["removed"]) =>
      removalCalls(IncrementalSyncSpec.parse(input), IncrementalSpec.parse(removed === undefined ? {} : { removed }))
    const base = { customerId: "owner_id", event: "Scored" }
    expect(calls({ ...base, type: "group", groupId: "account_id" })).toEqual({ clearTraits: false, clearGroupTraits: true, event: undefined })
    expect(calls({ ...base, type: "identify,group", groupId: "account_id" })).toEqual({
      clearTraits: true,
      clearGroupTraits: true,
      event: undefined
    })
    expect(calls({ ...base, type: "group,track", groupId: "account_id" })).toEqual({
      clearTraits: false,
      clearGroupTraits: true,
      event: "Segment Exited"
    })
    // Unchanged for the calls that came before group.
    expect(calls({ ...base, type: "track" })).toEqual({ clearTraits: false, clearGroupTraits: false, event: "Segment Exited" })
    expect(calls({ ...base, type: "both" })).toEqual({ clearTraits: true, clearGroupTraits: false, event: "Segment Exited" })
    expect(calls({ ...base, type: "identify" })).toEqual({ clearTraits: true, clearGroupTraits: false, event: undefined })
    // The documented way back to the event, and off with the clearing.
    expect(calls({ ...base, type: "group", groupId: "account_id" }, { event: "Segment Exited", clearGroupTraits: false })).toEqual({
      clearTraits: false,
      clearGroupTraits: false,
      event: "Segment Exited"
    })
  })

  it("a group sync's removal is a group call tied to the member, its group traits last sent set to null", () => {
    const [group, ...others] = removalOf(groupSync)
    expect(others).toEqual([])
    expect(group).toMatchObject({ type: "group", userId: "u-7", groupId: "acme", traits: { account_tier: null, account_churn: null } })
  })

  it("an identify,group sync's removal clears the user's traits and the account's, each on its own call", () => {
    const messages = removalOf({ ...groupSync, type: "identify,group", traits: ["email"] })
    expect(messages.map((message) => [message.type, message.traits])).toEqual([
      ["identify", { email: null }],
      ["group", { account_tier: null, account_churn: null }]
    ])
  })

  it("with the event named, also sends the track event with the key", () => {
    const messages = removalOf({ ...groupSync, incremental: { removed: { event: "Account Removed" } } })
    expect(messages.map((message) => message.type)).toEqual(["group", "track"])
    expect(messages[1]).toMatchObject({ event: "Account Removed", properties: { account_id: "acme" } })
  })

  it("refuses clearGroupTraits for a sync without group calls, naming the setting", () => {
    const result = IncrementalSyncSpec.safeParse({
      type: "identify",
      customerId: "owner_id",
      incremental: { removed: { clearGroupTraits: true } }
    })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["incremental.removed.clearGroupTraits", "a identify sync sends no group traits to clear"]
    ])
  })
})

describe("change detection of group traits", () => {
  const detectorOf = (input: IncrementalSyncSpecInput) => {
    const spec = IncrementalSyncSpec.parse(input)
    return compileChangeDetector(spec, spec.key!, IncrementalSpec.parse({}), library)
  }
  const fingerprint = (detector: ReturnType<typeof detectorOf>, values: Record<string, unknown>) => {
    const printed = detector.fingerprint({ rowNumber: 1, values })
    if (!printed.ok) throw new Error(printed.reason)
    return printed.fingerprint
  }

  it("a move of a group trait alone is a change; of a column no call sends, none", () => {
    const detector = detectorOf({ ...groupSync, type: "identify,group", traits: ["email"] })
    const before = fingerprint(detector, account)
    expect(fingerprint(detector, { ...account, account_tier: "silver" })).not.toBe(before)
    expect(fingerprint(detector, { ...account, email: "new@acme.test" })).not.toBe(before)
    expect(fingerprint(detector, { ...account, unused: "x" })).toBe(before)
  })

  it("the snapshot keeps the group id and the group traits, so that a removal can clear them", () => {
    // Explicit lists: the snapshot keeps only the columns the sync reads.
    const detector = detectorOf({ ...groupSync, key: ["owner_id"], properties: ["email"], traits: ["email"], type: "identify,group" })
    expect(JSON.parse(detector.snapshotValues({ ...account, unused: "x" }))).toEqual(account)
  })
})

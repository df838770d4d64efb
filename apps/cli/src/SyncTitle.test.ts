import { SyncSpec } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { syncTitle } from "./SyncTitle.ts"

describe("a sync's title", () => {
  it("joins the calls of an unnamed sync, with the event of its track calls", () => {
    expect(syncTitle(SyncSpec.parse({ type: "identify,group", customerId: "u", groupId: "g" }))).toBe("identify + group")
    expect(syncTitle(SyncSpec.parse({ event: "Churn Scored", customerId: "u" }))).toBe('track "Churn Scored"')
    expect(syncTitle(SyncSpec.parse({ type: "both", event: "Scored", customerId: "u" }))).toBe('identify + track "Scored"')
    expect(syncTitle(SyncSpec.parse({ type: "identify", customerId: "u" }))).toBe("identify")
  })

  it("is the sync's name when it has one", () => {
    expect(syncTitle(SyncSpec.parse({ name: "account-churn", type: "identify,group", customerId: "u", groupId: "g" }))).toBe("account-churn")
  })
})

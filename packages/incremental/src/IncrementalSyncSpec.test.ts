import { SyncSpec } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"

const places = (result: { readonly error?: { readonly issues: ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey> }> } }) =>
  result.error?.issues.map((issue) => issue.path.join(".")) ?? []

describe("IncrementalSyncSpec: core's spec with the incremental settings", () => {
  it("takes the incremental block that core's spec refuses as an unknown field", () => {
    const spec = { event: "E", customerId: "id", incremental: { mode: "all" } }
    expect(IncrementalSyncSpec.parse(spec).incremental).toMatchObject({ mode: "all" })
    expect(SyncSpec.safeParse(spec).error?.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["incremental"] })
  })

  it("checks core's fields first, then the incremental settings (the one change of order: clearTraits came second)", () => {
    const result = IncrementalSyncSpec.safeParse({ type: "track", incremental: { removed: { clearTraits: true } } })
    expect(places(result)).toEqual(["event", "customerId", "incremental.removed.clearTraits"])
    expect(result.error?.issues[2]?.message).toBe("a track sync sends no identify traits to clear")
  })
})

import { describe, expect, it } from "vitest"
import { formatIssues, SyncSpec } from "./SyncSpec.ts"

describe("SyncSpec", () => {
  it("fills defaults", () => {
    expect(SyncSpec.parse({ event: "E", customerId: "id" })).toMatchObject({ type: "track", properties: "*", empty: "omit", nest: true })
  })

  it("names the field at fault, an unknown one included", () => {
    const result = SyncSpec.safeParse({ type: "track", customerId: "id", colour: "red", columns: { a: "decimal" } })
    expect(result.success).toBe(false)
    if (!result.success) {
      const text = formatIssues(result.error, "syncs.scores")
      expect(text).toContain("syncs.scores.colour: unknown field")
      expect(text).toMatch(/syncs\.scores\.columns\.a: /)
    }
    const noEvent = SyncSpec.safeParse({ type: "track", customerId: "id" })
    expect(noEvent.success).toBe(false)
    if (!noEvent.success) expect(formatIssues(noEvent.error, "syncs.scores")).toBe("syncs.scores.event: a track sync needs an event name")
  })

  it("needs an id column", () => {
    const result = SyncSpec.safeParse({ type: "identify" })
    expect(result.success).toBe(false)
    if (!result.success) expect(formatIssues(result.error)).toMatch(/^customerId: a sync needs a customer id column/)
  })

  it("refuses a static context or integrations nested too deep for a message, naming the field", () => {
    let deep: unknown = {}
    for (let i = 0; i < 6_000; i++) deep = { a: deep }
    const result = SyncSpec.safeParse({ event: "E", customerId: "id", context: { deep } })
    expect(result.success).toBe(false)
    if (!result.success) expect(formatIssues(result.error)).toBe("context: value nested deeper than 64 levels")
    expect(SyncSpec.safeParse({ event: "E", customerId: "id", integrations: { All: true }, context: { a: { b: 1 } } }).success).toBe(true)
  })
})

import { describe, expect, it } from "vitest"
import { compileChangeDetector, reachesTolerance } from "./ChangeDetector.ts"
import { IncrementalSpec } from "./IncrementalSpec.ts"
import { IncrementalSyncSpec } from "./IncrementalSyncSpec.ts"

const library = { name: "tablecast", version: "test" }
const detector = (spec: Parameters<typeof IncrementalSyncSpec.parse>[0], incremental: Parameters<typeof IncrementalSpec.parse>[0] = {}) => {
  const parsed = IncrementalSyncSpec.parse(spec)
  return compileChangeDetector(parsed, parsed.key ?? [parsed.customerId!], IncrementalSpec.parse(incremental), library)
}
const row = (values: Record<string, unknown>) => ({ rowNumber: 1, values })
const fingerprintOf = (d: ReturnType<typeof detector>, values: Record<string, unknown>) => {
  const printed = d.fingerprint(row(values))
  if (!printed.ok) throw new Error(printed.reason)
  return printed.fingerprint
}

describe("reachesTolerance", () => {
  it("counts a move of at least the absolute threshold, not a smaller one", () => {
    expect(reachesTolerance(0.734, 0.735, { absolute: 0.01 })).toBe(false)
    expect(reachesTolerance(0.725, 0.735, { absolute: 0.01 })).toBe(true)
    expect(reachesTolerance("0.5", "0.62", { absolute: 0.1 })).toBe(true)
  })
  it("measures a relative threshold against the value last sent", () => {
    expect(reachesTolerance(100, 104, { relative: 0.05 })).toBe(false)
    expect(reachesTolerance(100, 105, { relative: 0.05 })).toBe(true)
    expect(reachesTolerance(0, 0.0001, { relative: 0.05 })).toBe(true)
  })
  it("with both thresholds, counts only a move that reaches both", () => {
    expect(reachesTolerance(100, 103, { absolute: 2, relative: 0.05 })).toBe(false)
    expect(reachesTolerance(100, 106, { absolute: 2, relative: 0.05 })).toBe(true)
  })
  it("counts any move to or from a value that is not a number", () => {
    expect(reachesTolerance(null, 0.5, { absolute: 1 })).toBe(true)
    expect(reachesTolerance("n/a", "n/a", { absolute: 1 })).toBe(false)
    expect(reachesTolerance(0.5, "", { absolute: 1 })).toBe(true)
  })
})

describe("compileChangeDetector", () => {
  const spec = { event: "Scored", customerId: "id", timestamp: "at", key: ["id"] }

  it("leaves the timestamp and tolerant columns out of the fingerprint, and nothing else", () => {
    const d = detector(spec, { tolerance: { score: { absolute: 0.01 } } })
    const base = { id: "c1", score: 0.5, label: "a", at: "2026-11-27T00:00:00Z" }
    const printed = fingerprintOf(d, base)
    expect(fingerprintOf(d, { ...base, at: "2026-11-28T00:00:00Z" })).toBe(printed)
    // A tolerant column's move is carried beside the hash, for the tolerance to judge.
    expect(d.contentChanged(printed, fingerprintOf(d, { ...base, score: 0.9 }))).toBe(false)
    expect(printed).toMatch(/^f1:[0-9a-f]{32}\|\[0\.5\]$/)
    expect(d.contentChanged(printed, fingerprintOf(d, { ...base, label: "b" }))).toBe(true)
    expect(d.contentChanged(printed, fingerprintOf(d, { ...base, id: "c2" }))).toBe(true)
  })

  it("changes every fingerprint when the mapping changes (another event, a rename)", () => {
    const values = { id: "c1", score: 0.5, at: "2026-11-27T00:00:00Z" }
    const printed = fingerprintOf(detector(spec), values)
    expect(fingerprintOf(detector({ ...spec, event: "Rescored" }), values)).not.toBe(printed)
    expect(fingerprintOf(detector({ ...spec, rename: { score: "churn" } }), values)).not.toBe(printed)
  })

  it("names an empty key column, and keys bigint values", () => {
    const d = detector({ ...spec, key: ["id", "region"] })
    expect(d.keyOf({ id: "c1", region: " " })).toEqual({ emptyColumn: "region" })
    expect(d.keyOf({ id: 12345678901234567890n, region: "eu" })).toEqual({ key: '["12345678901234567890n","eu"]' })
  })

  it("keeps the columns the sync reads, and tells tolerant moves apart", () => {
    const d = detector({ ...spec, properties: ["score"] }, { tolerance: { score: { absolute: 0.01 } } })
    const kept = d.snapshotValues({ id: "c1", score: "0.5", secret_feature: "x", at: "2026-11-27" })
    expect(JSON.parse(kept)).toEqual({ id: "c1", score: "0.5", at: "2026-11-27" })
    const sent = fingerprintOf(d, { id: "c1", score: "0.5", at: "2026-11-27" })
    const moved = (score: string) => d.tolerantMove(sent, fingerprintOf(d, { id: "c1", score, at: "2026-11-28" }))
    expect(moved("0.505")).toBe("within")
    expect(moved("0.52")).toBe("reached")
    expect(moved("0.5")).toBe("none")
    // Shown as sent: the CSV's text "0.5" is the number 0.5.
    expect(d.differences(kept, { id: "c1", score: "0.505", at: "2026-11-27" })).toEqual([
      { column: "score", before: 0.5, after: 0.505, withinTolerance: true }
    ])
  })
})

describe("IncrementalSyncSpec incremental settings", () => {
  it("is incremental with a key, with added-or-changed by default; `incremental: false` turns it off", async () => {
    const { incrementalOf } = await import("./IncrementalSyncSpec.ts")
    expect(incrementalOf(IncrementalSyncSpec.parse({ event: "E", customerId: "id" }))).toBeUndefined()
    expect(incrementalOf(IncrementalSyncSpec.parse({ event: "E", customerId: "id", key: ["id"] }))?.settings.mode).toBe("added-or-changed")
    expect(incrementalOf(IncrementalSyncSpec.parse({ event: "E", customerId: "id", incremental: {} }))?.key).toEqual(["id"])
    expect(incrementalOf(IncrementalSyncSpec.parse({ event: "E", customerId: "id", key: ["id"], incremental: false }))).toBeUndefined()
  })
  it("names the field at fault", () => {
    const result = IncrementalSyncSpec.safeParse({ event: "E", customerId: "id", incremental: { tolerance: { score: {} }, mode: "sometimes" } })
    expect(result.success).toBe(false)
    const paths = result.error!.issues.map((issue) => issue.path.join("."))
    expect(paths).toContain("incremental.mode")
    expect(paths).toContain("incremental.tolerance.score")
  })
})

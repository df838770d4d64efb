import { describe, expect, it } from "vitest"
import { driftOf, NUMERIC_SHIFT_CALLED_OUT, propertyName } from "./Drift.ts"
import { categoricalProfile, numericProfile, seeded } from "./test/Fixtures.ts"

const scores = (seed: number, count: number, centre: number) => {
  const random = seeded(seed)
  return Array.from({ length: count }, () => Math.min(1, Math.max(0, centre + (random() - 0.5) * 0.3)))
}

describe("a property's drift since the previous run", () => {
  it("says the medians then and now, to two significant digits", () => {
    const drift = driftOf(numericProfile("properties.churn_score", [0.3, 0.34, 0.5]), numericProfile("properties.churn_score", [0.1, 0.21, 0.25]))
    expect(drift?.text).toBe("churn_score: median 0.21 → 0.34")
  })

  it("calls out a moved distribution and not a resampled one", () => {
    const before = numericProfile("properties.churn_score", scores(1, 5000, 0.3))
    const same = driftOf(numericProfile("properties.churn_score", scores(2, 5000, 0.3)), before)
    const moved = driftOf(numericProfile("properties.churn_score", scores(3, 5000, 0.45)), before)
    expect(same?.calledOut).toBe(false)
    expect(same!.shift).toBeLessThan(NUMERIC_SHIFT_CALLED_OUT)
    expect(moved?.calledOut).toBe(true)
    expect(moved!.shift).toBeGreaterThan(0.5)
  })

  it("compares categorical top values by their shares", () => {
    const before = categoricalProfile("traits.segment", [...Array(60).fill("gold"), ...Array(40).fill("silver")])
    const after = categoricalProfile("traits.segment", [...Array(30).fill("gold"), ...Array(70).fill("silver")])
    const drift = driftOf(after, before)
    expect(drift?.text).toBe('segment: top "gold" 60% → "silver" 70%')
    expect(drift?.shift).toBeCloseTo(0.3, 9)
    expect(drift?.calledOut).toBe(true)
  })

  it("has nothing to say of a property new in this run, or of another kind before", () => {
    expect(driftOf(numericProfile("properties.x", [1, 2]), undefined)).toBeUndefined()
    expect(driftOf(numericProfile("properties.x", [1, 2]), categoricalProfile("properties.x", ["a"]))).toBeUndefined()
  })

  it("names a property without its message section", () => {
    expect(propertyName("properties.churn_score")).toBe("churn_score")
    expect(propertyName("traits.rfm.recency")).toBe("rfm.recency")
  })
})

import { describe, expect, it } from "vitest"
import { type FaultDraw, makeFaultMix } from "./FaultMix.ts"

const tally = (seed: number, requests: number) => {
  const draw = makeFaultMix(seed)
  const counts: Record<FaultDraw, number> = { ok: 0, "429": 0, "500": 0, "503": 0, reset: 0 }
  for (let i = 0; i < requests; i++) counts[draw()]++
  return counts
}

describe("the fault mix", () => {
  it("draws the same faults from the same seed", () => {
    expect(tally(7, 1_000)).toEqual(tally(7, 1_000))
    expect(tally(7, 1_000)).not.toEqual(tally(8, 1_000))
  })

  it("draws about the shares of the issue: 10% 429, 20% 5xx, 5% resets", () => {
    const counts = tally(20260501, 100_000)
    expect(counts["429"] / 100_000).toBeCloseTo(0.1, 2)
    expect((counts["500"] + counts["503"]) / 100_000).toBeCloseTo(0.2, 2)
    expect(counts.reset / 100_000).toBeCloseTo(0.05, 2)
    expect(counts.ok / 100_000).toBeCloseTo(0.65, 2)
  })
})

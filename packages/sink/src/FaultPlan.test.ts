import { describe, expect, it } from "vitest"
import { drawFault, uniform } from "./FaultPlan.ts"
import { SinkFaults } from "./SinkOptions.ts"

const tags = (faults: SinkFaults, count: number) => Array.from({ length: count }, (_, i) => drawFault(faults, i + 1).fault._tag)

describe("drawFault", () => {
  it("is reproducible from the seed, and another seed draws otherwise", () => {
    const faults = SinkFaults.parse({ seed: 42, throttleShare: 0.2, serverErrorShare: 0.2, dropShare: 0.1 })
    expect(tags(faults, 200)).toEqual(tags(faults, 200))
    expect(tags({ ...faults, seed: 43 }, 200)).not.toEqual(tags(faults, 200))
  })

  it("gives each fault about its share", () => {
    const faults = SinkFaults.parse({
      seed: 7,
      throttleShare: 0.1,
      serverErrorShare: 0.2,
      dropShare: 0.05,
      halfWriteShare: 0.15
    })
    const counts = new Map<string, number>()
    for (const tag of tags(faults, 20_000)) counts.set(tag, (counts.get(tag) ?? 0) + 1)
    expect((counts.get("Throttle") ?? 0) / 20_000).toBeCloseTo(0.1, 1)
    expect((counts.get("ServerError") ?? 0) / 20_000).toBeCloseTo(0.2, 1)
    expect((counts.get("Drop") ?? 0) / 20_000).toBeCloseTo(0.05, 1)
    expect((counts.get("HalfWrite") ?? 0) / 20_000).toBeCloseTo(0.15, 1)
    expect((counts.get("None") ?? 0) / 20_000).toBeCloseTo(0.5, 1)
  })

  it("draws no fault and no delay by default", () => {
    expect(new Set(tags(SinkFaults.parse({}), 1_000))).toEqual(new Set(["None"]))
    expect(drawFault(SinkFaults.parse({}), 1).delayMillis).toBe(0)
  })

  it("uses 500, 502 and 503 for server errors, and slows the configured share", () => {
    const faults = SinkFaults.parse({ serverErrorShare: 1, delayMillis: 20, slowShare: 0.5 })
    const draws = Array.from({ length: 1_000 }, (_, i) => drawFault(faults, i + 1))
    const statuses = new Set(draws.map((draw) => (draw.fault._tag === "ServerError" ? draw.fault.status : 0)))
    expect(statuses).toEqual(new Set([500, 502, 503]))
    const slowed = draws.filter((draw) => draw.delayMillis === 20).length
    expect(slowed / 1_000).toBeCloseTo(0.5, 1)
  })

  it("draws uniform numbers in [0, 1)", () => {
    for (let n = 1; n < 5_000; n++) {
      const u = uniform(99, n, 0)
      expect(u >= 0 && u < 1).toBe(true)
    }
  })
})

import type { DeliveryReport } from "@tablecast/core"
import type { IncrementalPlan } from "@tablecast/incremental"
import { describe, expect, it } from "vitest"
import { withCallCounts } from "./CallCounts.ts"

const reportOf = (mapped: number, built: number) =>
  ({
    rows: { read: mapped, mapped, rejected: 0, skipped: 0 },
    messages: { built, sent: built, accepted: built, refused: 0, undelivered: 0 }
  }) as unknown as DeliveryReport

describe("the report's messages by call type", () => {
  it("counts a plain run's messages from its rows: one message per call per row mapped", () => {
    expect(withCallCounts(reportOf(40, 80), { type: "identify,group" }, undefined).messages.calls).toEqual({ identify: 40, group: 40, track: 0 })
    expect(withCallCounts(reportOf(7, 7), { type: "track" }, undefined).messages.calls).toEqual({ identify: 0, group: 0, track: 7 })
  })

  it("takes an incremental run's from its plan, removals included", () => {
    const plan = { send: { calls: { identify: 3, group: 4, track: 1 } } } as unknown as IncrementalPlan
    expect(withCallCounts(reportOf(3, 8), { type: "identify,group" }, plan).messages.calls).toEqual({ identify: 3, group: 4, track: 1 })
  })

  it("leaves the field out when the counts do not account for every message built", () => {
    const plan = { send: { calls: { identify: 3, group: 3, track: 0 } } } as unknown as IncrementalPlan
    expect(withCallCounts(reportOf(3, 2), { type: "identify,group" }, plan).messages).not.toHaveProperty("calls")
  })
})

import type { ContractReport } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { combineTrackingPlanReports } from "./TrackingPlanReports.ts"

const chunkReport = (firstRow: number, rows: number, unplanned: ReadonlyArray<string> = []): ContractReport => ({
  plan: "spec.trackingPlan",
  mode: "reject",
  messagesChecked: rows,
  violations: rows * 2,
  rowsWithViolations: rows,
  unplannedMessages: unplanned.length,
  unplannedEvents: unplanned,
  byRule: { 'TRACK "A" v1': rows * 2 },
  byProperty: { 'properties.a (TRACK "A" v1)': rows, 'properties.b (TRACK "A" v1)': rows },
  firstRows: Array.from({ length: Math.min(rows, 20) }, (_, index) => ({ row: firstRow + index, violations: ["x"] }))
})

describe("combineTrackingPlanReports", () => {
  it("adds up the chunks' counts, keeps the first rows in row order and the sample sizes", () => {
    const combined = combineTrackingPlanReports([chunkReport(1001, 30, ["B"]), undefined, chunkReport(1, 5, ["C", "B"])])
    expect(combined).toMatchObject({
      plan: "spec.trackingPlan",
      mode: "reject",
      messagesChecked: 35,
      violations: 70,
      rowsWithViolations: 35,
      unplannedMessages: 3,
      unplannedEvents: ["B", "C"],
      byRule: { 'TRACK "A" v1': 70 },
      byProperty: { 'properties.a (TRACK "A" v1)': 35, 'properties.b (TRACK "A" v1)': 35 }
    })
    expect(combined?.firstRows.map((row) => row.row)).toEqual([1, 2, 3, 4, 5, ...Array.from({ length: 15 }, (_, index) => 1001 + index)])
  })

  it("is absent when no chunk had a plan", () => {
    expect(combineTrackingPlanReports([undefined, undefined])).toBeUndefined()
    expect(combineTrackingPlanReports([])).toBeUndefined()
  })
})

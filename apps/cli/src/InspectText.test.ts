import { describe, expect, it } from "vitest"
import { proposedSyncName, tablesText } from "./InspectText.ts"

describe("inspect's text", () => {
  it("lists tables in columns, and says how to inspect one", () => {
    const text = tablesText(
      [{ table: "analytics.scores", schema: "analytics", name: "scores", kind: "table", estimatedRows: 12 }],
      "postgres",
      false
    )
    expect(text).toBe(
      "TABLE             KIND   ROWS (estimate)\nanalytics.scores  table  12\n\ninspect one: tablecast inspect --postgres … --table <TABLE>"
    )
    expect(tablesText([], "postgres", false)).toBe("no tables this connection can read")
  })

  it("names a proposed sync after the file, without its extension", () => {
    expect(proposedSyncName("Sales Predictions.csv")).toBe("sales-predictions")
  })
})

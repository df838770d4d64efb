import { describe, expect, it } from "vitest"
import { readReport } from "./Contenders.ts"

const report = (extra: Record<string, unknown>) =>
  `progress line\n${JSON.stringify(
    {
      outcome: "completed",
      startedAt: "2026-12-07T12:00:00.000Z",
      rows: { read: 10, rejected: 0 },
      messages: { accepted: 10, refused: 0, undelivered: 0 },
      batches: { accepted: 1, requests: 3, retries: 2 },
      ...extra
    },
    null,
    2
  )}\n`

describe("reading tablecast's report", () => {
  it("takes the retries, and no sending figures from a report that has none", () => {
    const output = readReport(report({}))
    expect(output).toEqual({ rowsRead: 10, retries: 2 })
  })

  it("takes the sending policy's figures wherever the report puts them", () => {
    const output = readReport(report({ sending: { finalConcurrency: 12, requestsPerSecond: 48.5, waited429Millis: 2000 } }))
    expect(output.sending).toEqual({
      "sending.finalConcurrency": 12,
      "sending.requestsPerSecond": 48.5,
      "sending.waited429Millis": 2000
    })
  })
})

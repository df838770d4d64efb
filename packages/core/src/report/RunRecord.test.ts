import { describe, expect, it } from "vitest"
import type { DeliveryReport } from "./DeliveryReport.ts"
import { isRunRecord, newRunId, RUN_RECORD_VERSION, runRecordOf } from "./RunRecord.ts"

const report = (over: Partial<DeliveryReport> = {}): DeliveryReport => ({
  outcome: "incomplete",
  dryRun: false,
  sync: "churn",
  source: "csv scores.csv",
  endpoint: "http://127.0.0.1:14318",
  startedAt: "2026-12-07T16:02:08.123Z",
  finishedAt: "2026-12-07T16:02:10.123Z",
  durationMillis: 2000,
  rows: { read: 100, mapped: 97, rejected: 3, skipped: 0 },
  messages: { built: 97, sent: 97, accepted: 90, refused: 5, undelivered: 2 },
  batches: { accepted: 2, refused: 1, undelivered: 1, planned: 0, requests: 6, retries: 2 },
  bytesSent: 4096,
  sending: { throttled: 1, throttleWaitMillis: 500, concurrencyLimit: 4, concurrencyLimitPeak: 8, rateCuts: 1 },
  rejects: {
    total: 10,
    byStage: { source: 1, validation: 2, "batch-refused": 5, undelivered: 2 },
    sample: [{ row: 4, stage: "validation", reason: "customer_id is empty" }]
  },
  ...over
})

describe("runRecordOf", () => {
  it("summarises the report's counts, requests, 429s, bytes and throughput", () => {
    const record = runRecordOf(report(), { exitCode: 4, settings: { batchCount: 500, maxRps: 50, notSet: undefined } })
    expect(record.version).toBe(RUN_RECORD_VERSION)
    expect(record.counts).toEqual({
      read: 100,
      mapped: 97,
      rejected: 3,
      rejectedByReason: { source: 1, validation: 2, "batch-refused": 5, undelivered: 2 },
      skipped: 0,
      built: 97,
      accepted: 90,
      refused: 5,
      undelivered: 2
    })
    expect(record.requests).toEqual({ total: 6, retries: 2, throttled: 1 })
    expect(record.bytesSent).toBe(4096)
    expect(record.throughput).toEqual({ rowsPerSecond: 50, acceptedPerSecond: 45 })
    expect(record.settings).toEqual({ batchCount: 500, maxRps: 50 })
    expect(record.endedAt).toBe("2026-12-07T16:02:10.123Z")
    expect(record).toMatchObject({ exitCode: 4, outcome: "incomplete", kind: "sync", trigger: "cli" })
  })

  it("keeps no row value: the reject sample stays out of the record", () => {
    const record = runRecordOf(report(), { exitCode: 4 })
    expect(JSON.stringify(record)).not.toContain("customer_id is empty")
  })

  it("keeps the fatal error's kind and message, the plan counts and the peak memory when given", () => {
    const plan = { full: false, added: 3, changed: 2, unchanged: 95, removed: 1, duplicates: 0, guardTripped: true }
    const record = runRecordOf(report({ outcome: "aborted", fatal: { kind: "guard", message: "over the guard", status: 0 } }), {
      exitCode: 8,
      kind: "incremental",
      trigger: "node",
      plan,
      peakMemoryBytes: 1234
    })
    expect(record.fatal).toEqual({ kind: "guard", message: "over the guard" })
    expect(record.plan).toEqual(plan)
    expect(record.peakMemoryBytes).toBe(1234)
    expect(record.trigger).toBe("node")
  })

  it("keeps the messages of each call type where the report has them", () => {
    const calls = { identify: 50, group: 47, track: 0 }
    const withCalls = report({ messages: { built: 97, sent: 97, accepted: 90, refused: 5, undelivered: 2, calls } })
    expect(runRecordOf(withCalls, { exitCode: 0 }).counts.calls).toEqual(calls)
    expect(runRecordOf(report(), { exitCode: 0 }).counts).not.toHaveProperty("calls")
  })

  it("keeps what the tracking plan found as counts, and none of its sample rows' texts (they quote values)", () => {
    const trackingPlan = {
      plan: "plan.json",
      mode: "warn" as const,
      messagesChecked: 100,
      violations: 2,
      rowsWithViolations: 1,
      unplannedMessages: 0,
      unplannedEvents: [],
      byRule: { "TRACK A": 2 },
      byProperty: { "properties.tier (TRACK A)": 2 },
      firstRows: [{ row: 7, violations: ['properties.tier: must be one of, got "secret-ish value" (TRACK A)'] }],
      warningsFile: "rejects.warnings.jsonl"
    }
    const record = runRecordOf(report({ trackingPlan }), { exitCode: 0 })
    const { firstRows: _sample, ...counts } = trackingPlan
    expect(record.trackingPlan).toEqual(counts)
    expect(JSON.stringify(record)).not.toContain("secret-ish value")
    expect(runRecordOf(report(), { exitCode: 0 })).not.toHaveProperty("trackingPlan")
  })

  it("reports zero throughput for a run that took no time, not Infinity", () => {
    expect(runRecordOf(report({ durationMillis: 0 }), { exitCode: 0 }).throughput).toEqual({ rowsPerSecond: 0, acceptedPerSecond: 0 })
  })

  it("sorts ids by start time and tells runs of the same millisecond apart", () => {
    const first = newRunId("2026-12-07T16:02:08.123Z", () => 0.1)
    const same = newRunId("2026-12-07T16:02:08.123Z", () => 0.9)
    const later = newRunId("2026-12-07T16:02:09.000Z", () => 0)
    expect(first).toMatch(/^20261207T160208123Z-[0-9a-f]{6}$/)
    expect(first).not.toBe(same)
    expect([later, same, first].sort()).toEqual([first, same, later])
  })

  it("is recognised when read back, and anything else is not", () => {
    const record = runRecordOf(report(), { exitCode: 4 })
    expect(isRunRecord(JSON.parse(JSON.stringify(record)))).toBe(true)
    expect(isRunRecord({ ...record, version: 99 })).toBe(false)
    expect(isRunRecord(null)).toBe(false)
    expect(isRunRecord("x")).toBe(false)
  })
})

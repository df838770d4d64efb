import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { syncResultText, writeReportFile } from "./SyncResult.ts"

const report = (rejected: number, fatal?: DeliveryReport["fatal"]): DeliveryReport =>
  ({
    outcome: fatal === undefined ? "completed" : "aborted",
    dryRun: false,
    rows: { read: 10, mapped: 10 - rejected, rejected, skipped: 0 },
    messages: { built: 10 - rejected, sent: 10 - rejected, accepted: 10 - rejected, refused: 0, undelivered: 0 },
    ...(fatal === undefined ? {} : { fatal })
  }) as DeliveryReport

describe("syncResultText", () => {
  it("prints the report as JSON with --json, and why the run did not end clean on stderr", () => {
    const text = syncResultText({ report: report(2), plan: undefined }, { json: true, rejects: "r.jsonl" })
    expect(JSON.parse(text.stdout.join("\n"))).toMatchObject({
      error: { code: 3, kind: "rowsRejected", message: "2 rows were rejected (see r.jsonl)" },
      rows: { rejected: 2 }
    })
    expect(text.stderr).toEqual(["tablecast: 2 rows were rejected (see r.jsonl)"])
  })

  it("with --json, a clean run prints the report alone, and a report file that failed is the error", () => {
    const clean = JSON.parse(syncResultText({ report: report(0), plan: undefined }, { json: true, rejects: undefined }).stdout.join("\n"))
    expect(clean.error).toBeUndefined()
    expect(clean).toMatchObject({ rows: { rejected: 0 } })
    const unwritten = syncResultText(
      { report: report(0), plan: undefined },
      { json: true, rejects: undefined, exit: { code: 11, problem: "--report r.json: cannot write the report: EISDIR" } }
    )
    expect(JSON.parse(unwritten.stdout.join("\n")).error).toEqual({
      code: 11,
      kind: "outputFailed",
      message: "--report r.json: cannot write the report: EISDIR"
    })
  })

  it("says how long sending would take after a dry run of a plain sync, at the run's request rate", () => {
    const dryRun = {
      ...report(0),
      dryRun: true,
      durationMillis: 100,
      messages: { built: 100_000, sent: 0, accepted: 0, refused: 0, undelivered: 0 },
      batches: { accepted: 0, refused: 0, undelivered: 0, planned: 100, requests: 0, retries: 0 },
      bytesSent: 0,
      rejects: { total: 0, byStage: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }, sample: [] }
    } as unknown as DeliveryReport
    const stdout = syncResultText({ report: dryRun, plan: undefined }, { json: false, rejects: undefined, maxRps: 20 }).stdout.join("\n")
    expect(stdout).toContain("at 20 requests/s and ~1,000 messages per request: about 20,000 messages/s, 5s for 100,000 messages")
    expect(stdout).toContain("Segment takes in 1,000 events/s: at least 1m 40s")
  })

  it("says nothing on stderr for a clean run", () => {
    expect(syncResultText({ report: report(0), plan: undefined }, { json: true, rejects: undefined }).stderr).toEqual([])
  })
})

describe("writeReportFile", () => {
  it("writes the report, keeping the run's code", async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), "tablecast-report-")), "report.json")
    expect(await writeReportFile(file, report(1))).toEqual({ code: 3 })
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ rows: { rejected: 1 } })
  })

  it("a report that cannot be written turns a run that delivered into 11, and keeps a code that says more", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "tablecast-report-"))
    const delivered = await writeReportFile(folder, report(0))
    expect(delivered.code).toBe(11)
    expect(delivered.problem).toMatch(/^--report .*: cannot write the report: /)
    expect((await writeReportFile(folder, report(0, { kind: "auth", message: "401" }))).code).toBe(5)
  })
})

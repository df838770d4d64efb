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
    expect(JSON.parse(text.stdout.join("\n"))).toMatchObject({ rows: { rejected: 2 } })
    expect(text.stderr).toEqual(["tablecast: 2 rows were rejected (see r.jsonl)"])
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
    expect(delivered.problem).toMatch(/^tablecast: --report .*: cannot write the report: /)
    expect((await writeReportFile(folder, report(0, { kind: "auth", message: "401" }))).code).toBe(5)
  })
})

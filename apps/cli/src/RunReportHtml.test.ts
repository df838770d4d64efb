import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { RunHistory, RunRecord } from "@tablecast/core"
import { selectRuns } from "@tablecast/core"
import { runHistoryFile } from "@tablecast/state-file/history"
import { describe, expect, it } from "vitest"
import { ExitCode } from "./ExitCode.ts"
import { previousRunOf, reportHtmlExit, runReportHtmlOf } from "./RunReportHtml.ts"

const record = (id: string, startedAt: string, sync = "churn-scores", withProfile = true): RunRecord => ({
  version: 1,
  id,
  sync,
  kind: "incremental",
  trigger: "cli",
  dryRun: false,
  source: "CSV file scores.csv",
  endpoint: "http://127.0.0.1:1/v1/batch",
  startedAt,
  endedAt: startedAt,
  durationMillis: 1000,
  outcome: "completed",
  exitCode: 0,
  counts: {
    read: 2,
    mapped: 2,
    rejected: 0,
    rejectedByReason: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 },
    skipped: 0,
    built: 2,
    accepted: 2,
    refused: 0,
    undelivered: 0
  },
  requests: { total: 1, retries: 0, throttled: 0 },
  bytesSent: 100,
  throughput: { rowsPerSecond: 2, acceptedPerSecond: 2 },
  settings: {},
  ...(withProfile
    ? {
        profile: {
          properties: [
            {
              kind: "numeric",
              path: "properties.score",
              count: 2,
              missing: 0,
              min: 0.1,
              max: 0.3,
              mean: 0.2,
              quantiles: Array.from({ length: 101 }, (_, i) => 0.1 + (0.2 * i) / 100)
            }
          ],
          propertiesLeftOut: 0,
          timeline: [],
          rejectExamples: {}
        }
      }
    : {})
})

const memoryHistory = (records: ReadonlyArray<RunRecord>): RunHistory => ({
  append: async () => {},
  list: async (filter) => selectRuns(records, filter),
  get: async (id) => records.find((entry) => entry.id === id)
})

describe("the run a report compares with", () => {
  const older = record("20261205T100000000Z-aaaaaa", "2026-12-05T10:00:00.000Z")
  const unprofiled = record("20261206T100000000Z-bbbbbb", "2026-12-06T10:00:00.000Z", "churn-scores", false)
  const other = record("20261206T120000000Z-cccccc", "2026-12-06T12:00:00.000Z", "other-sync")
  const run = record("20261207T100000000Z-dddddd", "2026-12-07T10:00:00.000Z")
  const later = record("20261208T100000000Z-eeeeee", "2026-12-08T10:00:00.000Z")

  it("is the newest earlier run of the same sync that kept a profile", async () => {
    expect((await previousRunOf(memoryHistory([older, unprofiled, other, run, later]), run))?.id).toBe(older.id)
  })

  it("is the newest earlier run of the sync when none kept a profile, and none for a first run", async () => {
    expect((await previousRunOf(memoryHistory([unprofiled, run]), run))?.id).toBe(unprofiled.id)
    expect(await previousRunOf(memoryHistory([run, later, other]), run)).toBeUndefined()
  })
})

describe("a run's exit after its HTML report", () => {
  it("is 11 for a delivered run whose report could not be written, and the run's own code otherwise", () => {
    expect(reportHtmlExit({ code: ExitCode.ok }, undefined)).toEqual({ code: ExitCode.ok })
    expect(reportHtmlExit({ code: ExitCode.rowsRejected }, "cannot write").code).toBe(ExitCode.outputFailed)
    expect(reportHtmlExit({ code: ExitCode.authRefused }, "cannot write")).toEqual({ code: ExitCode.authRefused, problem: "cannot write" })
  })
})

describe("runs show --html", () => {
  it("writes the recorded run's report against the run before it; an unknown id is exit 2, an unwritable file exit 11", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-report-html-"))
    const file = path.join(dir, "runs.jsonl")
    const history = runHistoryFile(file)
    const before = record("20261206T100000000Z-aaaaaa", "2026-12-06T10:00:00.000Z")
    const run = record("20261207T100000000Z-bbbbbb", "2026-12-07T10:00:00.000Z")
    await history.append(before)
    await history.append(run)
    const sources = [{ location: file, open: async () => history }]

    expect(await runReportHtmlOf(sources, run.id, path.join(dir, "report.html"))).toBeUndefined()
    const html = await readFile(path.join(dir, "report.html"), "utf8")
    expect(html).toContain(`Compared with run ${before.id}`)
    expect(html).toContain('data-path="properties.score"')

    expect((await runReportHtmlOf(sources, "no-such-run", path.join(dir, "other.html")))?.code).toBe(ExitCode.usage)
    await writeFile(path.join(dir, "a-file"), "")
    const unwritable = await runReportHtmlOf(sources, run.id, path.join(dir, "a-file", "report.html"))
    expect(unwritable?.code).toBe(ExitCode.outputFailed)
    expect(unwritable?.message).toMatch(/^--html .*a-file\/report\.html: cannot write the report/)
  })
})

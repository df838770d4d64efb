import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport, RunRecord } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_runs_5d1c9e"
const WRONG_KEY = "wk_test_wrong_0b7a2f"
// Row values that must never reach the history: a customer id and an email.
const SCORES = "customer_id,email,score\n162514333,yuki.kim@example.net,0.5\n,no.id@example.net,0.7\n237029475,noah.kim@example.org,0.9\n"

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-runs-"))
  await writeFile(path.join(dir, "scores.csv"), SCORES)
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const historyFile = () => path.join(dir, ".tablecast", "state", "runs.jsonl")
const historyLines = async () => (await readFile(historyFile(), "utf8")).split("\n").filter((line) => line !== "")

const sync = (extra: ReadonlyArray<string>, env: Record<string, string> = {}, event = "Scored") =>
  runCli(["sync", "-f", "scores.csv", "-e", event, "-u", "customer_id", "--json", "--progress", "none", ...extra], { cwd: dir, env })

const runs = async (extra: ReadonlyArray<string> = []) => {
  const result = await runCli(["runs", "--json", ...extra], { cwd: dir })
  expect(result.code, result.stderr).toBe(0)
  return (JSON.parse(result.stdout) as { runs: ReadonlyArray<RunRecord> }).runs
}

/** The report a run printed: with --json, a failure's report is beside its error. */
const reportOf = (stdout: string) => JSON.parse(stdout) as DeliveryReport

describe("tablecast runs", () => {
  it("lists every sync run recorded, newest first, with its exit code and counts; runs show gives one in full", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const rejected = await sync(["--endpoint", sink.url], { SEGMENT_WRITE_KEY: WRITE_KEY })
    const refused = await sync(["--endpoint", sink.url], { SEGMENT_WRITE_KEY: WRONG_KEY })
    const dry = await sync(["--dry-run"])
    expect([rejected.code, refused.code, dry.code]).toEqual([3, 5, 3])

    const listed = await runs()
    expect(listed.map((run) => run.exitCode)).toEqual([3, 5, 3])
    expect(listed.map((run) => run.outcome)).toEqual(["completed", "aborted", "completed"])
    expect(listed.map((run) => run.dryRun)).toEqual([true, false, false])
    const [dryRun, refusedRun, rejectedRun] = listed
    const report = reportOf(rejected.stdout)
    expect(rejectedRun).toMatchObject({
      startedAt: report.startedAt,
      kind: "sync",
      trigger: "cli",
      counts: { read: report.rows.read, accepted: report.messages.accepted, rejected: report.rows.rejected },
      requests: { total: report.batches.requests },
      bytesSent: report.bytesSent
    })
    expect(rejectedRun?.counts.rejectedByReason.validation).toBe(1)
    expect(rejectedRun?.peakMemoryBytes).toBeGreaterThan(0)
    expect(refusedRun?.fatal?.kind).toBe("auth")
    expect(dryRun?.counts.accepted).toBe(0)

    // No write key and no row value in the history.
    const text = await readFile(historyFile(), "utf8")
    for (const secretOrValue of [WRITE_KEY, WRONG_KEY, "162514333", "yuki.kim@example.net"]) expect(text).not.toContain(secretOrValue)

    const shown = await runCli(["runs", "show", rejectedRun?.id ?? "", "--json"], { cwd: dir })
    expect(shown.code).toBe(0)
    expect(JSON.parse(shown.stdout)).toEqual(rejectedRun)
    const shownText = await runCli(["runs", "show", refusedRun?.id ?? ""], { cwd: dir })
    expect(shownText.stdout).toContain(`run ${refusedRun?.id}`)
    expect(shownText.stdout).toMatch(/stopped +auth: /)
    const table = await runCli(["runs"], { cwd: dir })
    expect(
      table.stdout
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(/\s+/)[0])
    ).toEqual(listed.map((run) => run.id))
  })

  it("filters by sync, outcome and start date, and limits", async () => {
    await sync(["--dry-run"])
    await sync(["--dry-run"], {}, "Other")
    const [other, scored] = await runs()
    expect((await runs(["--sync", "track:Scored"])).map((run) => run.id)).toEqual([scored?.id])
    expect(await runs(["--outcome", "aborted"])).toEqual([])
    expect((await runs(["--outcome", "completed", "--limit", "1"])).map((run) => run.id)).toEqual([other?.id])
    expect((await runs(["--since", other?.startedAt ?? ""])).map((run) => run.id)).toEqual([other?.id])
    expect((await runs(["--until", other?.startedAt ?? ""])).map((run) => run.id)).toEqual([scored?.id])
    expect(await runs(["--since", "2999-01-01"])).toEqual([])
    expect(await runs(["--since", "1h"])).toHaveLength(2)
  })

  it("keeps no more runs than the config's history.maxRuns: the newest", async () => {
    const config = {
      history: { maxRuns: 2 },
      syncs: { scores: { source: { type: "csv", path: "scores.csv" }, event: "Scored", customerId: "customer_id" } }
    }
    await writeFile(path.join(dir, "tablecast.config.json"), JSON.stringify(config))
    const started: Array<string> = []
    for (let run = 0; run < 4; run++) {
      const result = await runCli(["sync", "scores", "--dry-run", "--json"], { cwd: dir })
      started.push(reportOf(result.stdout).startedAt)
      expect((await historyLines()).length).toBe(Math.min(run + 1, 2))
    }
    expect((await runs()).map((run) => run.startedAt)).toEqual([started[3], started[2]])
  })

  it("drops runs older than the config's history.maxAgeDays when the next run is recorded", async () => {
    const config = {
      history: { maxAgeDays: 30 },
      syncs: { scores: { source: { type: "csv", path: "scores.csv" }, event: "Scored", customerId: "customer_id" } }
    }
    await writeFile(path.join(dir, "tablecast.config.json"), JSON.stringify(config))
    await runCli(["sync", "scores", "--dry-run"], { cwd: dir })
    // The same run as if it had ended 40 days ago, put first in the file (lines are appended as runs end).
    const [recorded] = await historyLines()
    const old = JSON.parse(recorded ?? "{}") as RunRecord
    const fortyDaysAgo = new Date(Date.parse(old.startedAt) - 40 * 86_400_000).toISOString()
    await writeFile(historyFile(), `${JSON.stringify({ ...old, id: "20200101T000000000Z-000000", startedAt: fortyDaysAgo })}\n${recorded}\n`)
    expect(await runs()).toHaveLength(2)
    await runCli(["sync", "scores", "--dry-run"], { cwd: dir })
    const kept = await runs()
    expect(kept).toHaveLength(2)
    expect(kept.map((run) => run.id)).not.toContain("20200101T000000000Z-000000")
  })

  it("records nothing with --no-history, or with history false in the config", async () => {
    await sync(["--dry-run", "--no-history"])
    const empty = await runCli(["runs"], { cwd: dir })
    expect(empty.code).toBe(0)
    expect(empty.stdout).toMatch(/no runs recorded/)
    await writeFile(
      path.join(dir, "tablecast.config.json"),
      JSON.stringify({
        history: false,
        syncs: { scores: { source: { type: "csv", path: "scores.csv" }, event: "Scored", customerId: "customer_id" } }
      })
    )
    await runCli(["sync", "scores", "--dry-run"], { cwd: dir })
    expect(await runs()).toEqual([])
    // The flag wins over the config.
    await runCli(["sync", "scores", "--dry-run", "--history"], { cwd: dir })
    expect(await runs()).toHaveLength(1)
  })

  it("records an incremental plan with its counts", async () => {
    const plan = await runCli(["plan", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--key", "customer_id", "--json"], { cwd: dir })
    expect(plan.code, plan.stderr).toBe(0)
    const [run] = await runs()
    expect(run).toMatchObject({ kind: "plan", exitCode: 0, plan: { added: 2, changed: 0, removed: 0, guardTripped: false } })
  })

  it("a history that cannot be written warns, and the run keeps its exit code", async () => {
    // A folder where the history file goes.
    await mkdir(historyFile(), { recursive: true })
    const result = await sync(["--dry-run"])
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/^tablecast: warning: the run history .*runs\.jsonl could not be written/m)
  })
})

describe("tablecast runs: exit codes", () => {
  it("2 for a date it cannot read, naming the flag; 2 for an id no run has; 9 for a history it cannot read", async () => {
    const badDate = await runCli(["runs", "--since", "last tuesday"], { cwd: dir })
    expect(badDate.code).toBe(2)
    expect(badDate.stderr).toMatch(/^tablecast: --since "last tuesday": give a date/)
    const unknown = await runCli(["runs", "show", "20260101T000000000Z-000000", "--json"], { cwd: dir })
    expect(unknown.code).toBe(2)
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 2 } })
    await mkdir(historyFile(), { recursive: true })
    const unreadable = await runCli(["runs"], { cwd: dir })
    expect(unreadable.code).toBe(9)
    expect(unreadable.stderr).toMatch(/^tablecast: the run history .*runs\.jsonl cannot be read/)
    expect((await runCli(["runs", "show", "x"], { cwd: dir })).code).toBe(9)
  })
})

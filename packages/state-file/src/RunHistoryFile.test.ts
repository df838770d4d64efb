import { mkdtemp, readFile, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type DeliveryReport, newRunId, type RunRecord, runRecordOf } from "@tablecast/core"
import { runHistoryContract } from "@tablecast/core/testing"
import { describe, expect, it } from "vitest"
import { runHistoryFile } from "./RunHistoryFile.ts"

const folder = () => mkdtemp(path.join(tmpdir(), "tablecast-history-"))

const recordAt = (startedAt: string, sync = "churn", outcome: DeliveryReport["outcome"] = "completed"): RunRecord => {
  const report = {
    outcome,
    dryRun: false,
    sync,
    source: "csv scores.csv",
    endpoint: "http://127.0.0.1:14318",
    startedAt,
    finishedAt: startedAt,
    durationMillis: 10,
    rows: { read: 3, mapped: 3, rejected: 0, skipped: 0 },
    messages: { built: 3, sent: 3, accepted: 3, refused: 0, undelivered: 0 },
    batches: { accepted: 1, refused: 0, undelivered: 0, planned: 0, requests: 1, retries: 0 },
    bytesSent: 300,
    rejects: { total: 0, byStage: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }, sample: [] }
  } satisfies DeliveryReport
  return runRecordOf(report, { exitCode: 0, id: newRunId(startedAt) })
}

const day = (n: number) => `2026-12-${String(n).padStart(2, "0")}T10:00:00.000Z`
const lines = async (file: string) => (await readFile(file, "utf8")).split("\n").filter((line) => line !== "")

describe("runHistoryFile", () => {
  it("appends one line per run and lists them newest first, filtered", async () => {
    const history = runHistoryFile(path.join(await folder(), "state", "runs.jsonl"))
    await history.append(recordAt(day(1)))
    await history.append(recordAt(day(2), "rfm", "incomplete"))
    await history.append(recordAt(day(3)))
    expect(await lines(history.location)).toHaveLength(3)
    expect((await history.list()).map((r) => r.startedAt)).toEqual([day(3), day(2), day(1)])
    expect((await history.list({ sync: "rfm" })).map((r) => r.outcome)).toEqual(["incomplete"])
    const [newest] = await history.list({ limit: 1 })
    expect(await history.get(newest?.id ?? "")).toEqual(newest)
    expect(await history.get("no-such-run")).toBeUndefined()
  })

  it("lists nothing when no run was recorded yet", async () => {
    expect(await runHistoryFile(path.join(await folder(), "runs.jsonl")).list()).toEqual([])
  })

  it("keeps at most maxRuns, dropping the oldest", async () => {
    const history = runHistoryFile(path.join(await folder(), "runs.jsonl"), { retention: { maxRuns: 3 }, now: () => new Date(day(20)) })
    for (let n = 1; n <= 7; n++) {
      await history.append(recordAt(day(n)))
      expect((await lines(history.location)).length).toBeLessThanOrEqual(3)
    }
    expect((await history.list()).map((r) => r.startedAt)).toEqual([day(7), day(6), day(5)])
  })

  it("drops runs older than maxAgeDays", async () => {
    const history = runHistoryFile(path.join(await folder(), "runs.jsonl"), { retention: { maxAgeDays: 5 }, now: () => new Date(day(10)) })
    for (const n of [1, 4, 6, 9]) await history.append(recordAt(day(n)))
    expect((await history.list()).map((r) => r.startedAt)).toEqual([day(9), day(6)])
  })

  it("skips a line cut short by a crash, and keeps the runs around it", async () => {
    const file = path.join(await folder(), "runs.jsonl")
    await writeFile(file, `${JSON.stringify(recordAt(day(1)))}\n{"version":1,"id":"cut`)
    const history = runHistoryFile(file)
    await history.append(recordAt(day(2)))
    expect((await history.list()).map((r) => r.startedAt)).toEqual([day(2), day(1)])
  })

  it("refuses to write through a symbolic link", async () => {
    const dir = await folder()
    await writeFile(path.join(dir, "elsewhere"), "")
    await symlink(path.join(dir, "elsewhere"), path.join(dir, "runs.jsonl"))
    await expect(runHistoryFile(path.join(dir, "runs.jsonl")).append(recordAt(day(1)))).rejects.toThrow(/symbolic link/)
  })
})

describe("runHistoryFile: the run history contract", () => {
  for (const c of runHistoryContract) it(c.name, () => c.run(async (options) => runHistoryFile(path.join(await folder(), "runs.jsonl"), options)))
})

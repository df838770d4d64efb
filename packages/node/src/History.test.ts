import { readFile } from "node:fs/promises"
import path from "node:path"
import { postgresRunHistory } from "@tablecast/state-postgres"
import { sqliteRunHistory } from "@tablecast/state-sqlite"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { plan, type RunHistory, type RunRecord, runHistoryFile, SyncStoppedError, sync } from "./index.ts"
import { receiver, scoresFolder } from "./Sync.testkit.ts"

const mapping = { event: "Churn Scored", customerId: "customer_id" } as const

describe("sync's history option", () => {
  it("records each run in a JSONL file relative to cwd, a stopped run too, with its exit code and no secret", async () => {
    const sink = await receiver({ writeKeys: ["wk_node_history_ok"] })
    const { dir } = await scoresFolder(40)
    const options = {
      source: { type: "csv", path: "scores.csv" },
      ...mapping,
      cwd: dir,
      destination: { endpoint: sink.url },
      history: "runs.jsonl"
    } as const
    const report = await sync({ ...options, writeKey: "wk_node_history_ok" })
    await expect(sync({ ...options, writeKey: "wk_node_history_bad" })).rejects.toBeInstanceOf(SyncStoppedError)
    const runs = await runHistoryFile(path.join(dir, "runs.jsonl")).list()
    expect(runs.map((run) => [run.trigger, run.outcome, run.exitCode])).toEqual([
      ["node", "aborted", 5],
      ["node", "completed", 0]
    ])
    expect(runs[1]).toMatchObject({ startedAt: report.startedAt, counts: { read: 40, accepted: 40 }, settings: { maxRps: 50 } })
    const text = await readFile(path.join(dir, "runs.jsonl"), "utf8")
    expect(text).not.toContain("wk_node_history")
  })

  it("keeps the file within its retention, and takes any RunHistory store", async () => {
    const { dir } = await scoresFolder(5)
    const dryRun = { source: { type: "csv", path: "scores.csv" }, ...mapping, cwd: dir, pipeline: { dryRun: true } } as const
    for (let run = 0; run < 3; run++) await sync({ ...dryRun, history: { file: "runs.jsonl", retention: { maxRuns: 2 } } })
    expect(await runHistoryFile(path.join(dir, "runs.jsonl")).list()).toHaveLength(2)

    const appended: Array<RunRecord> = []
    const store: RunHistory = { append: async (record) => void appended.push(record), list: async () => appended, get: async () => undefined }
    await sync({ ...dryRun, history: store })
    expect(appended.map((record) => [record.dryRun, record.counts.read])).toEqual([[true, 5]])
  })

  it("a store that fails warns and leaves the run's result as it was", async () => {
    const { dir } = await scoresFolder(5)
    const warnings: Array<string> = []
    const onWarning = (warning: Error) => void warnings.push(`${warning.name}: ${warning.message}`)
    process.on("warning", onWarning)
    const failing: RunHistory = { append: async () => Promise.reject(new Error("disk full")), list: async () => [], get: async () => undefined }
    const report = await sync({ source: { type: "csv", path: "scores.csv" }, ...mapping, cwd: dir, pipeline: { dryRun: true }, history: failing })
    await new Promise((resolve) => setImmediate(resolve))
    process.off("warning", onWarning)
    expect(report.outcome).toBe("completed")
    expect(warnings).toEqual(["TablecastHistoryWarning: the run history could not be written (disk full); the run is not recorded"])
  })
})

describe("plan's history option", () => {
  it("records the plan with its counts", async () => {
    const { dir } = await scoresFolder(12)
    const made = await plan({ source: { type: "csv", path: "scores.csv" }, ...mapping, key: ["customer_id"], cwd: dir, history: "runs.jsonl" })
    const [run] = await runHistoryFile(path.join(dir, "runs.jsonl")).list()
    expect(run).toMatchObject({ kind: "plan", trigger: "node", exitCode: 0, plan: { added: made.rows.added, changed: 0, guardTripped: false } })
    expect(made.rows.added).toBe(12)
  })
})

describe("history: { state: true }: where the CLI keeps it", () => {
  it("an incremental sync and its plan record in the sync's SQLite state file; any other sync in .tablecast/state/runs.jsonl", async () => {
    const sink = await receiver({ writeKeys: ["wk_node_history_state"] })
    const { dir } = await scoresFolder(30)
    const options = {
      source: { type: "csv", path: "scores.csv" },
      ...mapping,
      cwd: dir,
      destination: { endpoint: sink.url },
      history: { state: true }
    } as const
    await plan({ ...options, key: ["customer_id"] })
    await sync({ ...options, key: ["customer_id"], writeKey: "wk_node_history_state" })
    await sync({ ...options, writeKey: "wk_node_history_state" })
    const inState = await sqliteRunHistory(path.join(dir, ".tablecast", "state.db")).list()
    expect(inState.map((run) => [run.kind, run.trigger, run.counts.read])).toEqual([
      ["incremental", "node", 30],
      ["plan", "node", 30]
    ])
    const inFile = await runHistoryFile(path.join(dir, ".tablecast", "state", "runs.jsonl")).list()
    expect(inFile.map((run) => run.kind)).toEqual(["sync"])
  })

  it("a sync whose state is in Postgres records there, in the store's schema", async (context) => {
    if (process.env.PGHOST === undefined) return context.skip("the test PostgreSQL server is not started (scripts/postgres/start.sh)")
    const schema = `tablecast_node_history_${process.pid}`
    const { dir } = await scoresFolder(8)
    try {
      await plan({
        source: { type: "csv", path: "scores.csv" },
        ...mapping,
        key: ["customer_id"],
        cwd: dir,
        state: { postgres: { schema } },
        history: { state: true, retention: { maxRuns: 5 } }
      })
      const [run] = await postgresRunHistory({ connection: {}, schema }).list()
      expect(run).toMatchObject({ kind: "plan", trigger: "node", counts: { read: 8 }, plan: { added: 8 } })
    } finally {
      const client = new pg.Client()
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    }
  })
})

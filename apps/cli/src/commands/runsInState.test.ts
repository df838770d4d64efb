import { existsSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { RunRecord } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { postgresRunHistory } from "@tablecast/state-postgres"
import { sqliteRunHistory } from "@tablecast/state-sqlite"
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const WRITE_KEY = "wk_test_runs_state_3f8a"
const SCORES = "customer_id,score\nc1,0.5\nc2,0.7\nc3,0.9\n"

let dir: string
let sink: Sink
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-runs-state-"))
  await writeFile(path.join(dir, "scores.csv"), SCORES)
  sink = await startSink({ writeKeys: [WRITE_KEY] })
})
afterEach(async () => {
  await sink.close()
})

const syncArgs = (extra: ReadonlyArray<string>) => [
  "sync",
  "-f",
  "scores.csv",
  "-e",
  "Scored",
  "-u",
  "customer_id",
  "--endpoint",
  sink.url,
  "--json",
  "--progress",
  "none",
  ...extra
]

const listed = async (extra: ReadonlyArray<string> = [], env: Record<string, string> = {}) => {
  const result = await runCli(["runs", "--json", "--limit", "0", ...extra], { cwd: dir, env })
  expect(result.code, result.stderr).toBe(0)
  return (JSON.parse(result.stdout) as { runs: ReadonlyArray<RunRecord> }).runs
}

describe("an incremental run's history in its SQLite state file", () => {
  it("is recorded in .tablecast/state.db, and tablecast runs lists it with the JSONL file's runs, newest first", async () => {
    const env = { SEGMENT_WRITE_KEY: WRITE_KEY }
    expect((await runCli(syncArgs([]), { cwd: dir, env })).code).toBe(0)
    expect((await runCli(syncArgs(["--key", "customer_id"]), { cwd: dir, env })).code).toBe(0)
    expect((await runCli(["plan", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--key", "customer_id"], { cwd: dir })).code).toBe(0)

    const inState = await sqliteRunHistory(path.join(dir, ".tablecast", "state.db")).list()
    expect(inState.map((run) => run.kind)).toEqual(["plan", "incremental"])
    expect(inState[1]).toMatchObject({ trigger: "cli", exitCode: 0, counts: { read: 3, accepted: 3 }, plan: { added: 3 } })

    const runs = await listed()
    expect(runs.map((run) => run.kind)).toEqual(["plan", "incremental", "sync"])
    const shown = await runCli(["runs", "show", inState[1]!.id, "--json"], { cwd: dir })
    expect(shown.code, shown.stderr).toBe(0)
    expect(JSON.parse(shown.stdout)).toEqual(inState[1])
    // A plain sync still never touches the state file's history.
    expect((await listed(["--sync", "track:Scored"])).length).toBe(3)
  })

  it("keeps the config's retention there, and reads the state file a config's sync names", async () => {
    await writeFile(
      path.join(dir, "tablecast.config.json"),
      JSON.stringify({
        history: { maxRuns: 2 },
        syncs: {
          scores: {
            source: { type: "csv", path: "scores.csv" },
            state: { sqlite: "state/scores.db" },
            event: "Scored",
            customerId: "customer_id",
            key: ["customer_id"],
            destination: { endpoint: sink.url }
          }
        }
      })
    )
    for (let run = 0; run < 3; run++) {
      const result = await runCli(["sync", "scores", "--json", "--progress", "none"], { cwd: dir, env: { SEGMENT_WRITE_KEY: WRITE_KEY } })
      expect(result.code, result.stderr).toBe(0)
    }
    expect(await sqliteRunHistory(path.join(dir, "state", "scores.db")).list()).toHaveLength(2)
    expect(existsSync(path.join(dir, ".tablecast", "state.db"))).toBe(false)
    expect((await listed()).map((run) => [run.sync, run.kind])).toEqual([
      ["scores", "incremental"],
      ["scores", "incremental"]
    ])
  })
})

const client = await connectTestDatabase()
const SCHEMA = `tablecast_cli_runs_${process.pid}`
afterAll(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
  await client?.end()
})

describe.skipIf(client === undefined)("an incremental run's history in its Postgres state store (the test server)", () => {
  it("is recorded in the store's schema, and tablecast runs --state-postgres env (or the config) lists it", async () => {
    const env = { SEGMENT_WRITE_KEY: WRITE_KEY, ...pgEnv() }
    await writeFile(
      path.join(dir, "tablecast.config.json"),
      JSON.stringify({
        syncs: {
          scores: {
            source: { type: "csv", path: "scores.csv" },
            state: { postgres: { schema: SCHEMA } },
            event: "Scored",
            customerId: "customer_id",
            key: ["customer_id"],
            destination: { endpoint: sink.url }
          }
        }
      })
    )
    const result = await runCli(["sync", "scores", "--json", "--progress", "none"], { cwd: dir, env })
    expect(result.code, result.stderr).toBe(0)
    const [run] = await postgresRunHistory({ connection: {}, schema: SCHEMA }).list()
    expect(run).toMatchObject({ sync: "scores", kind: "incremental", counts: { read: 3, accepted: 3 } })
    expect((await listed([], env)).map((entry) => entry.id)).toEqual([run!.id])
    // A config whose syncs keep no state there: the store is not read.
    await writeFile(path.join(dir, "tablecast.config.json"), JSON.stringify({ syncs: {} }))
    expect(await listed([], env)).toEqual([])
  })

  it("a store it cannot reach: exit 9 naming it, never its password", async () => {
    const result = await runCli(["runs", "--state-postgres", "postgres://someone@127.0.0.1:1/db"], {
      cwd: dir,
      env: { PGPASSWORD: "pw-9d2c", PGCONNECT_TIMEOUT: "2" }
    })
    expect(result.code).toBe(9)
    expect(result.stderr).toMatch(/^tablecast: the run history cannot be read: Postgres state store .*listing runs: .*ECONNREFUSED/)
    expect(result.stderr).not.toContain("pw-9d2c")
  })
})

import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { type SnowflakeTestServer, startSnowflakeTestServer } from "@tablecast/snowflake-test-server"
import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")
const example = path.join(repo, "examples/sales-predictions.csv")

describe("tablecast inspect, on a file", () => {
  it("lists columns with types and samples, proposes a sync, and writes it as a config entry that runs", async () => {
    const result = await runCli(["inspect", "--file", example, "--json"])
    expect(result.code).toBe(0)
    const inspection = JSON.parse(result.stdout) as {
      columns: Array<{ name: string; kind: string; unique: boolean }>
      proposal: { name: string; spec: Record<string, unknown> }
    }
    expect(inspection.columns.map((c) => c.name)).toContain("apple_watch")
    expect(inspection.columns.find((c) => c.name === "iphone")?.kind).toBe("number")
    expect(inspection.columns.find((c) => c.name === "segment")?.unique).toBe(false)
    expect(inspection.proposal.spec).toMatchObject({ customerId: "customer_id", timestamp: "predicted_at", event: "Sales Predictions" })

    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-inspect-"))
    const config = path.join(dir, "tablecast.config.json")
    const written = await runCli(["inspect", "--file", example, "--write-config", config, "--name", "scores"])
    expect(written.code).toBe(0)
    expect(written.stdout).toMatch(/customerId "customer_id": an id-like name, unique in the rows seen, never empty/)
    const saved = JSON.parse(await readFile(config, "utf8")) as { syncs: Record<string, { source: { path: string } }> }
    // Only what was given and what the data decided: no default of this machine (a worker thread by its cores).
    expect(saved.syncs.scores!.source).toEqual({ type: "csv", path: path.relative(dir, example) })
    const dryRun = await runCli(["sync", "scores", "--config", config, "--dry-run", "--json"])
    expect(dryRun.code).toBe(0)
    expect((JSON.parse(dryRun.stdout) as DeliveryReport).messages.built).toBe(3000)
    const again = await runCli(["inspect", "--file", example, "--write-config", config, "--name", "scores"])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already has a sync named "scores"/)
  })
})

describe("warehouse sources from the CLI", () => {
  let db: pg.Client | undefined
  let sink: Sink | undefined
  const schema = "tc_cli_inspect"
  beforeAll(async () => {
    db = await connectTestDatabase()
    sink = await startSink()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`)
    await db.query(
      `CREATE TABLE ${schema}.churn_scores (user_id text PRIMARY KEY, churn_score numeric(5,3) NOT NULL, decile int, scored_at timestamptz NOT NULL)`
    )
    await db.query(
      `INSERT INTO ${schema}.churn_scores SELECT 'u' || g, round((g % 1000) / 1000.0, 3), 1 + g % 10, timestamptz '2026-11-27 03:00:00+00' + g * interval '1 second' FROM generate_series(1, 2500) g`
    )
    await db.query(`ANALYZE ${schema}.churn_scores`)
  })
  afterAll(async () => {
    await sink?.close()
    if (db !== undefined) {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await db.end()
    }
  })

  it("lists a Postgres database's tables, and proposes a sync for one", async () => {
    if (db === undefined) return
    const tables = await runCli(["inspect", "--postgres", "env", "--json"], { env: pgEnv() })
    expect(tables.code).toBe(0)
    const { tables: list } = JSON.parse(tables.stdout) as { tables: Array<{ table: string; estimatedRows: number }> }
    expect(list.find((t) => t.table === `${schema}.churn_scores`)?.estimatedRows).toBe(2500)
    const one = await runCli(["inspect", "--postgres", "env", "--table", `${schema}.churn_scores`, "--json"], { env: pgEnv() })
    expect(one.code).toBe(0)
    const { proposal } = JSON.parse(one.stdout) as { proposal: { spec: Record<string, unknown> } }
    expect(proposal.spec).toMatchObject({ customerId: "user_id", timestamp: "scored_at", properties: ["churn_score", "decile"] })
  })

  it("syncs a Postgres table to the receiver, every row accounted for, the password nowhere in the output", async () => {
    if (db === undefined) return
    const before = sink!.stats().messagesAccepted
    const result = await runCli(
      [
        "sync",
        "--postgres",
        "env",
        "--table",
        `${schema}.churn_scores`,
        "-e",
        "Churn Prediction",
        "-u",
        "user_id",
        "--timestamp",
        "scored_at",
        "--endpoint",
        sink!.url,
        "--json",
        "--no-checkpoint"
      ],
      { env: { ...pgEnv(), SEGMENT_WRITE_KEY: "k" } }
    )
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(2500)
    expect(sink!.stats().messagesAccepted - before).toBe(2500)
    if (process.env.PGPASSWORD) expect(result.stdout + result.stderr).not.toContain(process.env.PGPASSWORD)
  })

  it("reads an injection attempt in --table as a name that does not exist: nothing runs, nothing is sent", async () => {
    if (db === undefined) return
    await db.query("CREATE TABLE IF NOT EXISTS public.tc_cli_victim (x int)")
    const requests = sink!.stats().requests
    const result = await runCli(
      [
        "sync",
        "--postgres",
        "env",
        "--table",
        `${schema}.churn_scores; drop table tc_cli_victim`,
        "-e",
        "E",
        "-u",
        "user_id",
        "--endpoint",
        sink!.url,
        "--no-checkpoint"
      ],
      { env: { ...pgEnv(), SEGMENT_WRITE_KEY: "k" } }
    )
    expect(result.code).toBe(6)
    expect(result.stderr + result.stdout).toMatch(/42P01/)
    const victim = await db.query("SELECT to_regclass('public.tc_cli_victim') IS NOT NULL AS exists")
    expect(victim.rows[0].exists).toBe(true)
    expect(sink!.stats().requests).toBe(requests)
    await db.query("DROP TABLE public.tc_cli_victim")
  })

  describe("Snowflake, against the protocol test server", () => {
    let server: SnowflakeTestServer | undefined
    beforeAll(async () => {
      if (db === undefined) return
      server = await startSnowflakeTestServer({
        account: "TABLECAST-CLI",
        users: [{ name: "CLI_USER", password: "sf-cli-password-51" }],
        postgres: {
          host: process.env.PGHOST!,
          port: Number(process.env.PGPORT ?? 5432),
          user: process.env.PGUSER!,
          ...(process.env.PGPASSWORD === undefined ? {} : { password: process.env.PGPASSWORD }),
          database: process.env.PGDATABASE!
        },
        chunkRows: 500
      })
    })
    afterAll(async () => {
      await server?.stop()
    })

    it("syncs a Snowflake query through the real driver, in chunks, to the receiver", async () => {
      if (db === undefined || server === undefined) return
      const env = {
        SEGMENT_WRITE_KEY: "k",
        SNOWFLAKE_USER: "CLI_USER",
        SNOWFLAKE_PASSWORD: "sf-cli-password-51",
        SNOWFLAKE_ACCESS_URL: server.url
      }
      const before = sink!.stats().messagesAccepted
      const result = await runCli(
        [
          "sync",
          "--snowflake",
          "TABLECAST-CLI",
          "--query",
          `SELECT user_id, churn_score FROM ${schema}.churn_scores ORDER BY user_id`,
          "-e",
          "Churn Prediction",
          "-u",
          "USER_ID",
          "--endpoint",
          sink!.url,
          "--json",
          "--no-checkpoint"
        ],
        { env }
      )
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect((JSON.parse(result.stdout) as DeliveryReport).messages.accepted).toBe(2500)
      expect(sink!.stats().messagesAccepted - before).toBe(2500)
      expect(result.stdout).not.toContain("sf-cli-password-51")
      expect((await server.stats()).chunkRequests).toBeGreaterThan(1)
    })
  })
})

describe("inspect --write-config writes only what the user's data decided", () => {
  it("keeps a delimiter given; never a worker thread or another default of the machine it ran on", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-inspect-"))
    await writeFile(path.join(dir, "scores.csv"), "id;score\nu1;0.5\nu2;0.7\n")
    const result = await runCli(["inspect", "--file", "scores.csv", "--delimiter", ";", "--write-config", "tablecast.config.json"], { cwd: dir })
    expect(result.code).toBe(0)
    const saved = JSON.parse(await readFile(path.join(dir, "tablecast.config.json"), "utf8")) as {
      syncs: Record<string, { source: Record<string, unknown> }>
    }
    expect(saved.syncs.scores!.source).toEqual({ type: "csv", path: "scores.csv", delimiter: ";" })
    expect(JSON.stringify(saved)).not.toMatch(/"worker"/)
  })
})

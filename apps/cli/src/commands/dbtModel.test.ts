import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { type Sink, startSink } from "@tablecast/sink"
import { type SnowflakeTestServer, startSnowflakeTestServer } from "@tablecast/snowflake-test-server"
import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const SCHEMA = "tc_cli_dbt_marts"
const fixtures = path.resolve(import.meta.dirname, "../../../../packages/config/src/dbt/fixtures")

/** A dbt project folder whose manifest is a fixture (by default the v12 one, saying churn.churn_scores was built in SCHEMA). */
const project = (edit: (manifest: Record<string, any>) => void = () => {}, fixture = "manifest-v12-postgres.json"): string => {
  const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbt-cli-"))
  const manifest = JSON.parse(readFileSync(path.join(fixtures, fixture), "utf8"))
  const model = manifest.nodes["model.churn.churn_scores"]
  if (model !== undefined) {
    model.schema = SCHEMA
    model.relation_name = `"${process.env.PGDATABASE ?? "db"}"."${SCHEMA}"."churn_scores"`
  }
  edit(manifest)
  mkdirSync(path.join(folder, "target"))
  writeFileSync(path.join(folder, "target", "manifest.json"), JSON.stringify(manifest))
  return folder
}

describe("a dbt model as the table (the built CLI)", () => {
  let db: pg.Client | undefined
  let sink: Sink | undefined

  beforeAll(async () => {
    db = await connectTestDatabase()
    if (db === undefined) return
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db.query(`CREATE SCHEMA ${SCHEMA}`)
    // account_id is as id-like by name, and neither has a unique index: only dbt's tests tell customer_id apart.
    await db.query(`CREATE TABLE ${SCHEMA}.churn_scores (account_id bigint, customer_id bigint, churn_score numeric(6,4), segment text)`)
    await db.query(`INSERT INTO ${SCHEMA}.churn_scores VALUES (7, 101, 0.1250, 'loyal'), (7, 102, 0.9001, 'at risk'), (8, 103, 0.5000, NULL)`)
  })
  afterAll(async () => {
    await sink?.close()
    await db?.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await db?.end()
  })

  it("inspect --dbt-project lists the manifest's models with their descriptions, column docs and tests", async () => {
    const result = await runCli(["inspect", "--dbt-project", project()])
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      `churn.churn_scores  table  "${process.env.PGDATABASE ?? "db"}"."${SCHEMA}"."churn_scores"\n  Churn probability per customer, scored nightly.`
    )
    expect(result.stdout).toContain("    - customer_id (bigint)  [unique, not_null]: The customer's id in the CRM; one row per customer.")
    expect(result.stdout).toContain("churn.ltv v2  table")
    const json = await runCli(["inspect", "--dbt-project", project(), "--dbt-model", "churn.churn_scores", "--json"])
    expect(JSON.parse(json.stdout).models.map((model: { uniqueId: string }) => model.uniqueId)).toEqual(["model.churn.churn_scores"])
  })

  it("inspect --dbt-model reads the model's table and proposes the column dbt tests unique and not_null as the customer id", async () => {
    if (db === undefined) return
    const dir = project()
    const plain = await runCli(["inspect", "--postgres", "env", "--table", `${SCHEMA}.churn_scores`, "--json"], { env: pgEnv() })
    // Without dbt: two id-like names, neither with a unique index, so no proposal.
    expect(JSON.parse(plain.stdout).proposal.spec.customerId).toBeUndefined()
    const result = await runCli(["inspect", "--postgres", "env", "--dbt-model", "churn.churn_scores", "--json"], { env: pgEnv(), cwd: dir })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const inspection = JSON.parse(result.stdout)
    expect(inspection.proposal.name).toBe("churn_scores")
    expect(inspection.proposal.spec).toMatchObject({ customerId: "customer_id", event: "Churn Scores" })
    expect(inspection.proposal.notes[0]).toContain("tested unique and not_null by dbt model churn_scores")
    // --write-config names the model, not the table it resolved to; then the sync runs from the file.
    const written = await runCli(
      ["inspect", "--postgres", "env", "--dbt-model", "churn.churn_scores", "--write-config", "tablecast.config.json"],
      {
        env: pgEnv(),
        cwd: dir
      }
    )
    expect(written.code).toBe(0)
    const entry = JSON.parse(readFileSync(path.join(dir, "tablecast.config.json"), "utf8")).syncs.churn_scores
    expect(entry).toMatchObject({ source: { type: "postgres" }, dbt: { model: "churn.churn_scores", project: "." }, customerId: "customer_id" })
    expect(entry.source.table).toBeUndefined()
    const again = await runCli(["inspect", "churn_scores", "--json"], { env: pgEnv(), cwd: dir })
    expect(again.stderr).toBe("")
    expect(JSON.parse(again.stdout).proposal.spec.customerId).toBe("customer_id")
    const run = await runCli(["sync", "churn_scores", "--dry-run", "--json"], { env: pgEnv(), cwd: dir })
    expect(run.stderr).toBe("")
    expect(JSON.parse(run.stdout).rows.read).toBe(3)
  })

  it("sync --dbt-model sends the model's rows, exact to the values, to a receiver", async () => {
    if (db === undefined) return
    const dir = project()
    const received = path.join(dir, "received.jsonl")
    sink = await startSink({ out: received })
    const result = await runCli(
      [
        "sync",
        "--postgres",
        "env",
        "--dbt-model",
        "churn.churn_scores",
        "-e",
        "Churn Scored",
        "-u",
        "customer_id",
        "--endpoint",
        sink.url,
        "--json"
      ],
      { env: { ...pgEnv(), SEGMENT_WRITE_KEY: "wk_dbt_test" }, cwd: dir }
    )
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    await sink.close()
    sink = undefined
    const messages = (await readJsonl(received)).sort((a, b) => String(a.userId).localeCompare(String(b.userId)))
    expect(messages.map((m) => [m.userId, m.properties])).toEqual([
      ["101", { account_id: 7, churn_score: 0.125, segment: "loyal" }],
      ["102", { account_id: 7, churn_score: 0.9001, segment: "at risk" }],
      ["103", { account_id: 8, churn_score: 0.5 }]
    ])
  })

  it("sync --dbt-model reads a dbt-snowflake model (unquoted, so upper case) through the real Snowflake driver", async () => {
    if (db === undefined) return
    await db.query(`CREATE TABLE ${SCHEMA}.rfm_segments (member_id text, segment text)`)
    await db.query(`INSERT INTO ${SCHEMA}.rfm_segments VALUES ('m1', 'champions'), ('m2', 'hibernating')`)
    const server: SnowflakeTestServer = await startSnowflakeTestServer({
      account: "TABLECAST-DBT",
      users: [{ name: "DBT_USER", password: "sf-dbt-password-19" }],
      postgres: {
        host: process.env.PGHOST!,
        port: Number(process.env.PGPORT ?? 5432),
        user: process.env.PGUSER!,
        ...(process.env.PGPASSWORD === undefined ? {} : { password: process.env.PGPASSWORD }),
        database: process.env.PGDATABASE!
      }
    })
    try {
      // dbt-snowflake wrote the relation unquoted, in lower case: Snowflake reads it as upper case.
      const dir = project((manifest) => {
        manifest.nodes["model.scores.rfm_segments"].relation_name = `${process.env.PGDATABASE}.${SCHEMA}.rfm_segments`
      }, "manifest-v10-snowflake.json")
      const received = path.join(dir, "received.jsonl")
      sink = await startSink({ out: received })
      const result = await runCli(
        [
          "sync",
          "--snowflake",
          "TABLECAST-DBT",
          "--dbt-model",
          "rfm_segments",
          "-e",
          "Segment",
          "-u",
          "MEMBER_ID",
          "--endpoint",
          sink.url,
          "--no-checkpoint"
        ],
        {
          env: { SEGMENT_WRITE_KEY: "k", SNOWFLAKE_USER: "DBT_USER", SNOWFLAKE_PASSWORD: "sf-dbt-password-19", SNOWFLAKE_ACCESS_URL: server.url },
          cwd: dir
        }
      )
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      await sink.close()
      sink = undefined
      const messages = (await readJsonl(received)).sort((a, b) => String(a.userId).localeCompare(String(b.userId)))
      expect(messages.map((m) => [m.userId, m.properties])).toEqual([
        ["m1", { SEGMENT: "champions" }],
        ["m2", { SEGMENT: "hibernating" }]
      ])
    } finally {
      await server.stop()
    }
  })

  it("sync --duckdb --dbt-model reads a dbt-duckdb external model's Parquet file", async () => {
    const dir = project(() => {}, "manifest-v11-duckdb.json")
    mkdirSync(path.join(dir, "exports"))
    const instance = await DuckDBInstance.create(":memory:")
    const connection = await instance.connect()
    await connection.run(
      `COPY (SELECT 'c' || i AS customer_id, CAST(i / 8 AS DECIMAL(6,4)) AS score FROM range(1, 4) t(i)) TO '${path.join(dir, "exports", "scores.parquet")}' (FORMAT parquet)`
    )
    connection.closeSync()
    instance.closeSync()
    const received = path.join(dir, "received.jsonl")
    sink = await startSink({ out: received })
    const result = await runCli(
      ["sync", "--duckdb", ".", "--dbt-model", "scores_export", "-e", "Scored", "-u", "customer_id", "--endpoint", sink.url],
      {
        env: { SEGMENT_WRITE_KEY: "k" },
        cwd: dir
      }
    )
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    await sink.close()
    sink = undefined
    const messages = (await readJsonl(received)).sort((a, b) => String(a.userId).localeCompare(String(b.userId)))
    expect(messages.map((m) => [m.userId, m.properties])).toEqual([
      ["c1", { score: 0.125 }],
      ["c2", { score: 0.25 }],
      ["c3", { score: 0.375 }]
    ])
    // A model kept inside the .duckdb file is refused, naming what to do.
    const inside = await runCli(["sync", "--duckdb", ".", "--dbt-model", "scores_table", "-e", "E", "--dry-run"], { cwd: dir })
    expect(inside.code).toBe(2)
    expect(inside.stderr).toContain("materialize it as external with a location (dbt-duckdb)")
  })

  it("refuses an unknown manifest version and an unknown model, exit 2, naming them", async () => {
    const old = project((manifest) => (manifest.metadata.dbt_schema_version = "https://schemas.getdbt.com/dbt/manifest/v9.json"))
    const refused = await runCli(["sync", "--postgres", "env", "--dbt-model", "churn_scores", "-e", "E", "--dry-run"], { cwd: old })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("dbt manifest schema v9 is not supported (tablecast reads v10, v11, v12: dbt 1.6 and later)")
    const unknown = await runCli(["sync", "--postgres", "env", "--dbt-model", "nope", "-e", "E", "--dry-run"], { cwd: project() })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no dbt model "nope" in the manifest')
  })
})

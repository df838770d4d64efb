import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Sink, startSink } from "@tablecast/sink"
import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"
import { connectTestDatabase, pgEnv } from "../testing/warehouse.ts"

const SCHEMA = "tc_cli_dbt_marts"
const fixture = path.resolve(import.meta.dirname, "../../../../packages/config/src/dbt/fixtures/manifest-v12-postgres.json")

/** A dbt project folder whose manifest (the v12 fixture) says churn.churn_scores was built in SCHEMA. */
const project = (edit: (manifest: Record<string, any>) => void = () => {}): string => {
  const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbt-cli-"))
  const manifest = JSON.parse(readFileSync(fixture, "utf8"))
  const model = manifest.nodes["model.churn.churn_scores"]
  model.schema = SCHEMA
  model.relation_name = `"${process.env.PGDATABASE ?? "db"}"."${SCHEMA}"."churn_scores"`
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

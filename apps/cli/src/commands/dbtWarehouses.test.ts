import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { type BigQueryTestServer, makeServiceAccount, startBigQueryTestServer } from "@tablecast/bigquery-test-server"
import { type DatabricksTestServer, startDatabricksTestServer } from "@tablecast/databricks-test-server"
import { type Sink, startSink } from "@tablecast/sink"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"

const fixtures = path.resolve(import.meta.dirname, "../../../../packages/config/src/dbt/fixtures")
const WRITE_KEY = "wk_dbt_warehouses"

/** The rows of the model both warehouses hold; dbt tests customer_id unique and not_null (account_id repeats). */
const SETUP_ROWS = "(101, 0.1250, 'loyal', 7), (102, 0.9001, 'at risk', 7), (103, 0.5000, NULL, 8)"
const COLUMNS = "customer_id BIGINT, churn_score DECIMAL(6,4), segment VARCHAR, account_id BIGINT"
const EXPECTED = [
  ["101", { account_id: 7, churn_score: 0.125, segment: "loyal" }],
  ["102", { account_id: 7, churn_score: 0.9001, segment: "at risk" }],
  ["103", { account_id: 8, churn_score: 0.5 }]
]

/** A dbt project folder whose target/manifest.json is the fixture, as dbt build left it; and a config file. */
const project = (fixture: string, config: unknown): string => {
  const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbt-warehouse-"))
  mkdirSync(path.join(folder, "target"))
  writeFileSync(path.join(folder, "target", "manifest.json"), readFileSync(path.join(fixtures, fixture), "utf8"))
  writeFileSync(path.join(folder, "tablecast.config.json"), JSON.stringify(config))
  return folder
}

const received = async (file: string) =>
  (await readJsonl(file)).sort((a, b) => String(a.userId).localeCompare(String(b.userId))).map((m) => [m.userId, m.properties])

let sink: Sink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

describe("--dbt-model through a dbt-bigquery manifest (the built CLI, the BigQuery test server)", () => {
  let server: BigQueryTestServer | undefined
  afterAll(async () => server?.stop())

  it("reads `project`.`dataset`.`churn_scores` as the manifest names it and sends its rows, exact to the values", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbt-bigquery-key-"))
    const account = makeServiceAccount(folder, "dbt", "tablecast-test")
    server = await startBigQueryTestServer({
      projectId: "tablecast-test",
      location: "EU",
      serviceAccounts: [{ email: account.email, publicKeyPem: account.publicKeyPem }],
      setup: ["CREATE SCHEMA marts", `CREATE TABLE marts.churn_scores (${COLUMNS})`, `INSERT INTO marts.churn_scores VALUES ${SETUP_ROWS}`]
    })
    account.writeKeyFile(`${server.url}/token`)
    // The connection (test endpoint, location) is the config's; the table is the model's, named on the command line.
    const dir = project("manifest-v12-bigquery.json", {
      syncs: { churn: { source: { type: "bigquery", location: "EU", apiEndpoint: server.url }, event: "Churn Scored", customerId: "customer_id" } }
    })
    const out = path.join(dir, "received.jsonl")
    sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    const result = await runCli(["sync", "churn", "--dbt-model", "churn.churn_scores", "--endpoint", sink.url, "--json"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, GOOGLE_APPLICATION_CREDENTIALS: account.keyFile },
      cwd: dir
    })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).messages.accepted).toBe(3)
    await sink.close()
    sink = undefined
    expect(await received(out)).toEqual(EXPECTED)
    expect((await server.stats()).jobsInserted).toBe(1)
  })
})

describe("a config entry's dbt model through a dbt-databricks manifest (the built CLI, the Databricks test server)", () => {
  let server: DatabricksTestServer | undefined
  afterAll(async () => server?.close())

  it("reads `catalog`.`schema`.`churn_scores` as the manifest names it and sends its rows, exact to the values", async () => {
    const token = "dapi-dbt-warehouses-test-token"
    server = await startDatabricksTestServer({
      token,
      setup: [
        "ATTACH ':memory:' AS ml",
        "CREATE SCHEMA ml.marts",
        `CREATE TABLE ml.marts.churn_scores (${COLUMNS})`,
        `INSERT INTO ml.marts.churn_scores VALUES ${SETUP_ROWS}`
      ]
    })
    const dir = project("manifest-v12-databricks.json", {
      syncs: {
        churn: {
          source: { type: "databricks", port: server.port, caCertPath: "ca.pem" },
          dbt: { model: "churn_scores" },
          event: "Churn Scored",
          customerId: "customer_id"
        }
      }
    })
    writeFileSync(path.join(dir, "ca.pem"), server.caCert)
    const out = path.join(dir, "received.jsonl")
    sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    const env = { DATABRICKS_HOST: server.host, DATABRICKS_HTTP_PATH: server.path, DATABRICKS_TOKEN: token }
    const result = await runCli(["sync", "churn", "--endpoint", sink.url, "--json"], { env: { ...env, SEGMENT_WRITE_KEY: WRITE_KEY }, cwd: dir })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain(token)
    expect(JSON.parse(result.stdout).messages.accepted).toBe(3)
    await sink.close()
    sink = undefined
    expect(await received(out)).toEqual(EXPECTED)
    expect(server.openSessions()).toBe(0)
    // inspect proposes customer_id from dbt's tests, though account_id is as id-like by name.
    const inspected = await runCli(["inspect", "churn", "--json"], { env, cwd: dir })
    expect(inspected.stderr).toBe("")
    expect(JSON.parse(inspected.stdout).proposal.notes[0]).toContain("tested unique and not_null by dbt model churn_scores")
  })
})

describe("--databricks <host|env>", () => {
  it("reads the dbt model's table through the Databricks source: without DATABRICKS_HOST, exit 6 (the source failed) naming it, nothing contacted", async () => {
    const dir = project("manifest-v12-databricks.json", { syncs: {} })
    const result = await runCli(
      ["sync", "--databricks", "env", "--dbt-model", "churn_scores", "-e", "Churn Scored", "-u", "customer_id", "--dry-run"],
      {
        env: { DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/abc", DATABRICKS_TOKEN: "dapi-never-sent" },
        cwd: dir
      }
    )
    expect(result.stderr).toContain("Databricks: no host: give host or set DATABRICKS_HOST")
    expect(result.stderr).not.toContain("dapi-never-sent")
    expect(result.code).toBe(6)
  })
})

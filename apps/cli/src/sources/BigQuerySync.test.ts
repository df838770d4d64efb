import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type BigQueryTestServer, makeServiceAccount, startBigQueryTestServer } from "@tablecast/bigquery-test-server"
import type { DeliveryReport } from "@tablecast/core"
import { startSink } from "@tablecast/sink"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_bigquery"
const PROJECT = "tablecast-test"
const ROWS = 5_000
const PAGE = 1_000

let dir: string
let server: BigQueryTestServer
let keyFile: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-bigquery-cli-"))
  const account = makeServiceAccount(dir, "sync", PROJECT)
  server = await startBigQueryTestServer({
    projectId: PROJECT,
    location: "EU",
    pageRows: PAGE,
    serviceAccounts: [{ email: account.email, publicKeyPem: account.publicKeyPem }],
    setup: [
      "CREATE SCHEMA scores",
      `CREATE TABLE scores.churn AS SELECT 'cust-' || i AS customer_id, (i % 1000)::DECIMAL(10,3) / 1000 AS churn_score,
         (i * 1000000007)::BIGINT AS visits, make_timestamp(1704067200000000 + i * 1000001)::TIMESTAMPTZ AS scored_at,
         ['a', 'b'][1:(i % 2) + 1] AS tags FROM range(0, ${ROWS}) t(i)`
    ]
  })
  account.writeKeyFile(`${server.url}/token`)
  keyFile = account.keyFile
  await writeFile(
    path.join(dir, "tablecast.config.json"),
    JSON.stringify({
      syncs: {
        churn: {
          source: { type: "bigquery", table: "tablecast-test.scores.churn", location: "EU", apiEndpoint: server.url, pageSize: PAGE },
          event: "Churn Scored",
          customerId: "customer_id"
        }
      }
    })
  )
})
afterAll(async () => {
  await server?.stop()
})

const expected = (i: number) => {
  const micros = i * 1_000_001
  const iso = new Date(Date.UTC(2024, 0, 1) + Math.floor(micros / 1000)).toISOString().slice(0, 19)
  const fraction = String(micros % 1_000_000)
    .padStart(6, "0")
    .replace(/0+$/, "")
    .padEnd(3, "0")
  return {
    userId: `cust-${i}`,
    properties: {
      churn_score: (i % 1000) / 1000,
      visits: i * 1_000_000_007,
      scored_at: `${iso}.${fraction}Z`,
      tags: ["a", "b"].slice(0, (i % 2) + 1)
    }
  }
}

describe("a BigQuery table through the built CLI to tablecast sink", () => {
  it("sends every row of a result of several pages, exact to the values, after a dry run", async () => {
    const out = path.join(dir, "received.jsonl")
    const sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    const result = await runCli(["sync", "churn", "--endpoint", sink.url, "--json"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, GOOGLE_APPLICATION_CREDENTIALS: keyFile },
      cwd: dir
    })
    await sink.close()
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(ROWS)
    const received = (await readFile(out, "utf8"))
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { userId: string; properties: Record<string, unknown> })
      .map(({ userId, properties }) => ({ userId, properties }))
      .sort((a, b) => Number(a.userId.slice(5)) - Number(b.userId.slice(5)))
    expect(received).toEqual(Array.from({ length: ROWS }, (_, i) => expected(i)))
    const stats = await server.stats()
    expect(stats.dryRuns).toBe(1)
    expect(stats.jobsInserted).toBe(1)
    expect(stats.pagesServed).toBe(ROWS / PAGE)
    expect(stats.locations.every((location) => location === "EU")).toBe(true)
    expect(stats.unauthorized).toBe(0)
  })

  it("tablecast plan shows what BigQuery's dry run says the read processes", async () => {
    const env = { GOOGLE_APPLICATION_CREDENTIALS: keyFile }
    const json = await runCli(["plan", "churn", "--key", "customer_id", "--json", "--no-history"], { env, cwd: dir })
    expect(json.stderr).toBe("")
    expect(json.code).toBe(0)
    const plan = JSON.parse(json.stdout) as { rows: { read: number; added: number }; scan?: { bytesProcessed: number; source: string } }
    expect(plan.rows).toMatchObject({ read: ROWS, added: ROWS })
    // The test server's stand-in for BigQuery's figure: 8 bytes per result cell, at least 10 MiB.
    expect(plan.scan).toEqual({ bytesProcessed: Math.max(10 * 1024 * 1024, ROWS * 5 * 8), source: "BigQuery dry run" })
    const text = await runCli(["plan", "churn", "--key", "customer_id", "--no-history"], { env, cwd: dir })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^ {2}scan {8}10\.0 MB processed by the read \(BigQuery dry run; billed again by each run\)$/m)
  })

  it("without credentials: exit 6 (the source failed), naming GOOGLE_APPLICATION_CREDENTIALS, nothing asked of BigQuery", async () => {
    const before = await server.stats()
    const result = await runCli(["sync", "churn", "--endpoint", "http://127.0.0.1:9"], { env: { SEGMENT_WRITE_KEY: WRITE_KEY }, cwd: dir })
    expect(result.code).toBe(6)
    expect(result.stderr).toBe(
      "tablecast: BigQuery: no credentials: set GOOGLE_APPLICATION_CREDENTIALS to the path of a service account key file (JSON); tablecast reads credentials from the environment only\n"
    )
    expect((await server.stats()).tokenExchanges).toBe(before.tokenExchanges)
  })
})

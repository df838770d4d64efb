import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type BigQueryTestServer, makeServiceAccount, startBigQueryTestServer } from "@tablecast/bigquery-test-server"
import type { DeliveryReport } from "@tablecast/core"
import { startSink } from "@tablecast/sink"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { guardedChildEnv, readNetRecord } from "../testing/guardedChild.ts"
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

const args = (sinkUrl: string, extra: ReadonlyArray<string>) => [
  "sync",
  "--bigquery",
  PROJECT,
  "--bigquery-location",
  "EU",
  ...extra,
  "--table",
  "scores.churn",
  "-e",
  "Churn Scored",
  "-u",
  "customer_id",
  "--endpoint",
  sinkUrl,
  "--json"
]

const syncAndCheck = async (name: string, extra: ReadonlyArray<string>, env: Record<string, string>, base: "/bigquery/v2" | "root") => {
  const out = path.join(dir, `${name}.jsonl`)
  const netRecord = path.join(dir, `${name}-net.json`)
  const sink = await startSink({ out, writeKeys: [WRITE_KEY] })
  const before = await server.stats()
  const result = await runCli(args(sink.url, extra), {
    env: { ...guardedChildEnv(netRecord), SEGMENT_WRITE_KEY: WRITE_KEY, GOOGLE_APPLICATION_CREDENTIALS: keyFile, ...env }
  })
  await sink.close()
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  expect((JSON.parse(result.stdout) as DeliveryReport).messages.accepted).toBe(ROWS)
  const received = (await readFile(out, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { userId: string; event: string; properties: Record<string, unknown> })
    .sort((a, b) => Number(a.userId.slice(5)) - Number(b.userId.slice(5)))
  expect(received.map(({ event }) => event)).toEqual(Array(ROWS).fill("Churn Scored"))
  expect(received.map(({ userId, properties }) => ({ userId, properties }))).toEqual(Array.from({ length: ROWS }, (_, i) => expected(i)))
  const after = await server.stats()
  expect(after.jobsInserted - before.jobsInserted).toBe(1)
  expect(after.pagesServed - before.pagesServed).toBe(Math.ceil(ROWS / PAGE))
  expect(after.unauthorized).toBe(0)
  const atRoot = after.rootRequests - before.rootRequests
  if (base === "root") expect(atRoot).toBeGreaterThanOrEqual(3)
  else expect(atRoot).toBe(0)
  expect((await readNetRecord(netRecord)).connects.filter((connect) => !connect.allowed)).toEqual([])
}

describe("a BigQuery sync named by flags and the environment alone (no config file)", () => {
  it("--bigquery-api-endpoint names the API: every row of a multi-page result, exact", async () => {
    await syncAndCheck("endpoint", ["--bigquery-api-endpoint", server.url], {}, "/bigquery/v2")
  })

  it("BIGQUERY_EMULATOR_HOST, the client's own variable, serves as well (the API at the host's root)", async () => {
    await syncAndCheck("emulator", [], { BIGQUERY_EMULATOR_HOST: server.url }, "root")
  })

  it("refuses plain http off loopback before any request, naming where it came from", async () => {
    const before = await server.stats()
    const viaFlag = await runCli(args("http://127.0.0.1:9", ["--bigquery-api-endpoint", "http://bigquery.internal.example"]), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, GOOGLE_APPLICATION_CREDENTIALS: keyFile }
    })
    expect(viaFlag.code).toBe(6)
    expect(viaFlag.stderr).toBe(
      "tablecast: BigQuery: the API endpoint (apiEndpoint, --bigquery-api-endpoint) http://bigquery.internal.example must be https (plain http only on loopback, for a test server)\n"
    )
    const viaEnv = await runCli(args("http://127.0.0.1:9", []), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, GOOGLE_APPLICATION_CREDENTIALS: keyFile, BIGQUERY_EMULATOR_HOST: "bigquery.internal.example:9050" }
    })
    expect(viaEnv.code).toBe(6)
    expect(viaEnv.stderr).toMatch(/BIGQUERY_EMULATOR_HOST http:\/\/bigquery\.internal\.example:9050 must be https/)
    expect((await server.stats()).tokenExchanges).toBe(before.tokenExchanges)
  })
})

describe("resuming a BigQuery sync after the table changed", () => {
  /** A run that stops at once (the write key refused: exit 5) and leaves an unfinished checkpoint behind. */
  const interrupted = async (cwd: string, sinkUrl: string) => {
    const stopped = await runCli(args(sinkUrl, ["--bigquery-api-endpoint", server.url]), {
      cwd,
      env: { SEGMENT_WRITE_KEY: "wk_refused", GOOGLE_APPLICATION_CREDENTIALS: keyFile }
    })
    expect(stopped.code, stopped.stderr).toBe(5)
  }
  const rerun = (cwd: string, sinkUrl: string, extra: ReadonlyArray<string> = []) =>
    runCli([...args(sinkUrl, ["--bigquery-api-endpoint", server.url]), ...extra], {
      cwd,
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, GOOGLE_APPLICATION_CREDENTIALS: keyFile }
    })

  it("unchanged: the resume goes ahead; changed (lastModifiedTime moved): exit 7 and nothing sent, until --restart", async () => {
    const out = path.join(dir, "resume.jsonl")
    const sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    try {
      const same = await mkdtemp(path.join(dir, "same-"))
      await interrupted(same, sink.url)
      const resumed = await rerun(same, sink.url)
      expect(resumed.code, resumed.stderr).toBe(0)
      const report = JSON.parse(resumed.stdout) as DeliveryReport
      // A resume of the interrupted run (every row it read listed as undelivered), not a fresh run.
      expect(report.resumedFrom).toBeDefined()
      expect(report.messages.accepted).toBe(ROWS)

      const moved = await mkdtemp(path.join(dir, "moved-"))
      await interrupted(moved, sink.url)
      // The model wrote its table again: same rows, a new lastModifiedTime.
      await server.sql("UPDATE scores.churn SET churn_score = churn_score")
      const before = (await readFile(out, "utf8")).length
      const refused = await rerun(moved, sink.url)
      expect(refused.code, refused.stderr).toBe(7)
      expect(refused.stdout + refused.stderr).toMatch(/the source changed since the interrupted run[\s\S]*--restart/)
      expect((await readFile(out, "utf8")).length).toBe(before)
      const restarted = await rerun(moved, sink.url, ["--restart"])
      expect(restarted.code, restarted.stderr).toBe(0)
      expect((JSON.parse(restarted.stdout) as DeliveryReport).messages.accepted).toBe(ROWS)
    } finally {
      await sink.close()
    }
  })
})

import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type DatabricksTestServer, startDatabricksTestServer } from "@tablecast/databricks-test-server"
import { type Sink, startSink } from "@tablecast/sink"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_databricks"
const TOKEN = "dapi-cli-test-token-0123456789"
const ROWS = 5_000
const PAGE_ROWS = 1_000

let dir: string
let server: DatabricksTestServer
let sink: Sink | undefined

/** A Unity Catalog table of model output, on the protocol test server. */
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-databricks-cli-"))
  server = await startDatabricksTestServer({
    token: TOKEN,
    pageRows: PAGE_ROWS,
    setup: [
      "ATTACH ':memory:' AS ml",
      "CREATE SCHEMA ml.scores",
      `CREATE TABLE ml.scores.churn AS
         SELECT 'cust-' || i AS customer_id, (i / 1000)::DECIMAL(10, 3) AS churn_score,
                TIMESTAMP '2026-03-01 00:00:00' + to_seconds(i) AS scored_at, {'tier': i % 3} AS rfm
         FROM range(${ROWS}) t(i)`
    ]
  })
  await writeFile(path.join(dir, "ca.pem"), server.caCert)
  await writeFile(
    path.join(dir, "tablecast.config.json"),
    JSON.stringify({
      syncs: {
        churn: {
          source: { type: "databricks", table: "ml.scores.churn", port: server.port, caCertPath: "ca.pem", pageSize: 700 },
          event: "Churn Scored",
          customerId: "customer_id",
          timestamp: "scored_at"
        }
      }
    })
  )
})
afterAll(async () => {
  await sink?.close()
  await server.close()
})

describe("a Databricks table through the built CLI to tablecast sink", () => {
  it("delivers every row of a multi-page result exactly", async () => {
    const out = path.join(dir, "received.jsonl")
    sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    const callsBefore = server.calls.length
    const result = await runCli(["sync", "churn", "--endpoint", sink.url, "--json"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, DATABRICKS_HOST: server.host, DATABRICKS_HTTP_PATH: server.path, DATABRICKS_TOKEN: TOKEN },
      cwd: dir
    })
    await sink.close()
    sink = undefined
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain(TOKEN)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(ROWS)
    const received = (await readFile(out, "utf8"))
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { userId: string; timestamp: string; properties: Record<string, unknown> })
      .sort((a, b) => Number(a.userId.slice(5)) - Number(b.userId.slice(5)))
    expect(received).toHaveLength(ROWS)
    received.forEach((message, i) => {
      expect(message.userId).toBe(`cust-${i}`)
      expect(message.timestamp).toBe(new Date(Date.UTC(2026, 2, 1, 0, 0, i)).toISOString())
      expect(message.properties).toEqual({ churn_score: Number((i / 1000).toFixed(3)), rfm: { tier: i % 3 } })
    })
    // Pages of 700 rows asked for: the first in ExecuteStatement's answer, each other one FetchResults.
    const fetches = server.calls.slice(callsBefore).filter((call) => call === "FetchResults").length
    expect(fetches).toBe(Math.ceil(ROWS / 700) - 1)
    expect(server.openSessions()).toBe(0)
  })

  it("inspect shows the table's Databricks types and samples", async () => {
    const result = await runCli(["inspect", "churn", "--json", "--samples", "2"], {
      env: { DATABRICKS_HOST: server.host, DATABRICKS_HTTP_PATH: server.path, DATABRICKS_TOKEN: TOKEN },
      cwd: dir
    })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const inspection = JSON.parse(result.stdout) as { columns: Array<{ name: string; sourceType: string; samples: Array<unknown> }> }
    expect(inspection.columns.map((column) => [column.name, column.sourceType])).toEqual([
      ["customer_id", "STRING"],
      ["churn_score", "DECIMAL(10,3)"],
      ["scored_at", "TIMESTAMP"],
      ["rfm", "STRUCT"]
    ])
    expect(inspection.columns[0]!.samples).toHaveLength(2)
  })

  it("names the missing credentials, and a wrong token as refused, without printing it", async () => {
    const base = { SEGMENT_WRITE_KEY: WRITE_KEY, DATABRICKS_HOST: server.host, DATABRICKS_HTTP_PATH: server.path }
    const none = await runCli(["sync", "churn", "--endpoint", "http://127.0.0.1:9"], { env: base, cwd: dir })
    expect(none.code).not.toBe(0)
    expect(none.stderr).toContain("DATABRICKS_TOKEN")
    const wrong = "dapi-wrong-token-abcdef"
    const refused = await runCli(["sync", "churn", "--endpoint", "http://127.0.0.1:9"], { env: { ...base, DATABRICKS_TOKEN: wrong }, cwd: dir })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/Databricks/)
    expect(refused.stderr + refused.stdout).not.toContain(wrong)
  })
})

import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type DatabricksTestServer, startDatabricksTestServer } from "@tablecast/databricks-test-server"
import { startSink } from "@tablecast/sink"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { guardedChildEnv, readNetRecord } from "../testing/guardedChild.ts"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_databricks_flags"
const TOKEN = "dapi-flags-test-token-0123456789"
const CLIENT_ID = "2b7c1f9e-sp-tablecast"
const CLIENT_SECRET = "dose-m2m-secret-abcdef0123456789"
/** A workspace host name as the driver's OAuth flow requires one; reached only through the loopback proxy. */
const WORKSPACE = "dbc-tablecast-test.cloud.databricks.com"
const ROWS = 3_500
const PAGE_ROWS = 1_000

let dir: string
let server: DatabricksTestServer
let caFile: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-databricks-flags-"))
  server = await startDatabricksTestServer({
    token: TOKEN,
    pageRows: PAGE_ROWS,
    servicePrincipal: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    hostnames: [WORKSPACE],
    setup: [
      "ATTACH ':memory:' AS ml",
      "CREATE SCHEMA ml.scores",
      `CREATE TABLE ml.scores.churn AS
         SELECT 'cust-' || i AS customer_id, (i / 1000)::DECIMAL(10, 3) AS churn_score,
                TIMESTAMP '2026-03-01 00:00:00' + to_seconds(i) AS scored_at,
                make_timestamp(1772323200000000 + i * 1000001) AS measured_at,
                [(i / 7)::DECIMAL(12, 4)] AS history
         FROM range(${ROWS}) t(i)`
    ]
  })
  caFile = path.join(dir, "ca.pem")
  await writeFile(caFile, server.caCert)
})
afterAll(async () => {
  await server?.close()
})

const syncArgs = (host: string, sinkUrl: string) => [
  ...["sync", "--databricks", host, "--table", "ml.scores.churn"],
  ...["--event", "Churn Scored", "--customer-id", "customer_id", "--timestamp", "scored_at"],
  ...["--endpoint", sinkUrl, "--json"]
]

/** The messages the sink received, in row order. */
const receivedIn = async (out: string) =>
  (await readFile(out, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { userId: string; event: string; timestamp: string; properties: Record<string, unknown> })
    .sort((a, b) => Number(a.userId.slice(5)) - Number(b.userId.slice(5)))

const expectEveryRow = (received: Awaited<ReturnType<typeof receivedIn>>) => {
  expect(received).toHaveLength(ROWS)
  received.forEach((message, i) => {
    expect(message.userId).toBe(`cust-${i}`)
    expect(message.event).toBe("Churn Scored")
    expect(message.timestamp).toBe(new Date(Date.UTC(2026, 2, 1, 0, 0, i)).toISOString())
    // Microseconds kept, and a DECIMAL inside an ARRAY by the per-column rule, through the built CLI.
    const micros = i * 1_000_001
    const fraction = String(micros % 1_000_000)
      .padStart(6, "0")
      .replace(/0+$/, "")
      .padEnd(3, "0")
    expect(message.properties).toEqual({
      churn_score: Number((i / 1000).toFixed(3)),
      measured_at: `${new Date(Date.UTC(2026, 2, 1) + Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${fraction}Z`,
      history: [Number((i / 7).toFixed(4))]
    })
  })
}

describe("a Databricks sync named by flags and the environment alone (no config file)", () => {
  it("--databricks host:port with NODE_EXTRA_CA_CERTS: every row of a multi-page result, exact", async () => {
    const out = path.join(dir, "flags.jsonl")
    const sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    const callsBefore = server.calls.length
    const netRecord = path.join(dir, "flags-net.json")
    const result = await runCli(syncArgs(`${server.host}:${server.port}`, sink.url), {
      env: {
        ...guardedChildEnv(netRecord),
        SEGMENT_WRITE_KEY: WRITE_KEY,
        DATABRICKS_HTTP_PATH: server.path,
        DATABRICKS_TOKEN: TOKEN,
        NODE_EXTRA_CA_CERTS: caFile
      }
    })
    await sink.close()
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect((JSON.parse(result.stdout) as DeliveryReport).messages.accepted).toBe(ROWS)
    expectEveryRow(await receivedIn(out))
    // The default page of 2,000 rows, cut to the server's 1,000: the first in the answer, three fetched.
    expect(server.calls.slice(callsBefore).filter((call) => call === "FetchResults")).toHaveLength(Math.ceil(ROWS / PAGE_ROWS) - 1)
    expect((await readNetRecord(netRecord)).connects.filter((connect) => !connect.allowed)).toEqual([])
  })

  it("without the certificate authority: a clear certificate failure, exit 6", async () => {
    const result = await runCli(syncArgs(`${server.host}:${server.port}`, "http://127.0.0.1:9"), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, DATABRICKS_HTTP_PATH: server.path, DATABRICKS_TOKEN: TOKEN }
    })
    expect(result.code).toBe(6)
    expect(result.stderr).toMatch(/^tablecast: Databricks: connecting to Databricks 127\.0\.0\.1\/sql\/1\.0\/warehouses\/test: .*certificate/m)
    expect(result.stderr + result.stdout).not.toContain(TOKEN)
  })
})

describe("Databricks OAuth machine-to-machine through the driver, end to end", () => {
  it("trades DATABRICKS_CLIENT_ID/SECRET at the workspace's token endpoint and sends the token it issued on every Thrift call", async () => {
    const proxy = await server.startProxy()
    const out = path.join(dir, "oauth.jsonl")
    const sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    const bearersBefore = server.bearers.length
    const requestsBefore = server.tokenRequests.length
    const netRecord = path.join(dir, "oauth-net.json")
    const result = await runCli(syncArgs(WORKSPACE, sink.url), {
      env: {
        ...guardedChildEnv(netRecord),
        SEGMENT_WRITE_KEY: WRITE_KEY,
        DATABRICKS_HTTP_PATH: server.path,
        DATABRICKS_CLIENT_ID: CLIENT_ID,
        DATABRICKS_CLIENT_SECRET: CLIENT_SECRET,
        HTTPS_PROXY: proxy.url,
        // The sink is on loopback: only the workspace goes through the proxy.
        NO_PROXY: "127.0.0.1",
        NODE_EXTRA_CA_CERTS: caFile
      }
    })
    await sink.close()
    await proxy.close()
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expectEveryRow(await receivedIn(out))
    // One client-credentials grant for the service principal, scope all-apis (the driver's M2M scope).
    expect(server.tokenRequests.slice(requestsBefore)).toEqual([
      { clientId: CLIENT_ID, grantType: "client_credentials", scope: "all-apis", granted: true }
    ])
    const bearers = server.bearers.slice(bearersBefore)
    expect(bearers.length).toBeGreaterThan(3)
    expect(new Set(bearers).size).toBe(1)
    expect(server.issuedTokens.has(bearers[0]!)).toBe(true)
    // Discovery, token and Thrift calls all went to the workspace's name, port 443, through the proxy.
    expect(new Set(proxy.targets)).toEqual(new Set([`${WORKSPACE}:443`]))
    // The CLI process itself connected to loopback only, and never looked the workspace's name up.
    const net = await readNetRecord(netRecord)
    expect(net.connects.length).toBeGreaterThan(0)
    expect(net.connects.filter((connect) => !connect.allowed)).toEqual([])
    expect(net.lookups.filter((name) => name !== "localhost")).toEqual([])
  })

  it("a wrong client secret: exit 6 with the token endpoint's refusal, the secret in no output", async () => {
    const proxy = await server.startProxy()
    const wrong = "dose-wrong-secret-9876543210"
    const bearersBefore = server.bearers.length
    const result = await runCli(syncArgs(WORKSPACE, "http://127.0.0.1:9"), {
      env: {
        SEGMENT_WRITE_KEY: WRITE_KEY,
        DATABRICKS_HTTP_PATH: server.path,
        DATABRICKS_CLIENT_ID: CLIENT_ID,
        DATABRICKS_CLIENT_SECRET: wrong,
        HTTPS_PROXY: proxy.url,
        NODE_EXTRA_CA_CERTS: caFile
      }
    })
    await proxy.close()
    expect(result.code).toBe(6)
    expect(result.stderr).toMatch(/^tablecast: Databricks: .*invalid_client \(Client authentication failed\)/m)
    expect(result.stderr + result.stdout).not.toContain(wrong)
    expect(server.tokenRequests.at(-1)).toEqual({ clientId: CLIENT_ID, grantType: "client_credentials", scope: "all-apis", granted: false })
    expect(server.bearers.length).toBe(bearersBefore)
  })
})

import { DBSQLClient } from "@databricks/sql"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type DatabricksTestServer, startDatabricksTestServer } from "./DatabricksTestServer.ts"
import { connectAttempts, isLoopback, lookups } from "@tablecast/loopback-guard"

const TOKEN = "dapi-test-token"

describe("Databricks test server, answering the real @databricks/sql driver", () => {
  let server: DatabricksTestServer
  beforeAll(async () => {
    server = await startDatabricksTestServer({
      token: TOKEN,
      pageRows: 7,
      setup: [
        "ATTACH ':memory:' AS main_cat",
        "CREATE SCHEMA main_cat.scores",
        "CREATE TABLE main_cat.scores.churn AS SELECT i AS id, (i * 1.25)::DECIMAL(38, 2) AS score FROM range(20) t(i)"
      ]
    })
  })
  afterAll(async () => {
    await server.close()
    // The driver reached nothing but the server: no connection elsewhere, no name looked up.
    expect(connectAttempts().length).toBeGreaterThan(0)
    expect(connectAttempts().every((attempt) => attempt.allowed && isLoopback(attempt.host))).toBe(true)
    expect(lookups().filter((host) => !isLoopback(host))).toEqual([])
  })

  const connect = (token = TOKEN) =>
    new DBSQLClient().connect({
      host: server.host,
      port: server.port,
      path: server.path,
      token,
      customCaCert: server.caCert,
      telemetryEnabled: false,
      useCloudFetch: false,
      preserveBigNumericPrecision: true
    } as never)

  it("runs a query through every call of the protocol, page by page, with exact types", async () => {
    const client = await connect()
    const session = await client.openSession()
    // maxRows null: no direct results, so every call of the protocol is made.
    const operation = await session.executeStatement(
      "SELECT id, score, TIMESTAMP '2026-01-02 03:04:05.678' AS at, [1, 2] AS list, {'a': 1.5::DECIMAL(4,1)} AS struct, MAP {'k': 'v'} AS map FROM `main_cat`.`scores`.`churn` ORDER BY id",
      { maxRows: null }
    )
    const rows: Array<Record<string, unknown>> = []
    while (await operation.hasMoreRows()) {
      rows.push(...((await operation.fetchChunk({ maxRows: 5 })) as Array<Record<string, unknown>>))
    }
    await operation.close()
    await session.close()
    await client.close()
    expect(rows).toHaveLength(20)
    expect(rows[19]).toEqual({
      id: 19n,
      score: "23.75",
      at: new Date("2026-01-02T03:04:05.678Z"),
      list: [1, 2],
      struct: { a: "1.5" },
      map: { k: "v" }
    })
    expect(server.calls.filter((call) => call === "FetchResults").length).toBeGreaterThanOrEqual(4)
    expect(new Set(server.calls)).toEqual(
      new Set(["OpenSession", "ExecuteStatement", "GetOperationStatus", "GetResultSetMetadata", "FetchResults", "CloseOperation", "CloseSession"])
    )
    expect(server.openSessions()).toBe(0)
    expect(server.openOperations()).toBe(0)
  })
  it("answers with direct results when asked: the first page in ExecuteStatement's answer, closed there when it was all", async () => {
    const client = await connect()
    const session = await client.openSession()
    const read = async (sql: string, maxRows: number) => {
      const before = server.calls.length
      const operation = await session.executeStatement(sql, { maxRows })
      const rows: Array<unknown> = []
      while (await operation.hasMoreRows()) rows.push(...(await operation.fetchChunk({ maxRows })))
      await operation.close()
      return { rows, calls: server.calls.slice(before) }
    }
    const several = await read("SELECT id FROM `main_cat`.`scores`.`churn`", 5)
    expect(several.rows).toHaveLength(20)
    expect(several.calls.slice(0, 2)).toEqual(["ExecuteStatement", "DirectResults"])
    expect(several.calls.filter((call) => call === "FetchResults")).toHaveLength(3)
    const one = await read("SELECT id FROM `main_cat`.`scores`.`churn` WHERE id < 3", 5)
    expect(one.rows).toHaveLength(3)
    expect(one.calls).toEqual(["ExecuteStatement", "DirectResults"])
    await session.close()
    await client.close()
    expect(server.openOperations()).toBe(0)
  })
})

import { writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { isMalformed, type SourceError, type SourceItem } from "@tablecast/core"
import { type DatabricksTestServer, startDatabricksTestServer } from "@tablecast/databricks-test-server"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { describeSource } from "./DatabricksInspector.ts"
import { make } from "./DatabricksSource.ts"
import type { DatabricksSourceOptionsInput } from "./DatabricksSourceOptions.ts"
import { connectAttempts, isLoopback, lookups } from "@tablecast/loopback-guard"

const TOKEN = "dapi0123456789abcdef-test"
const ROWS = 2_345
let server: DatabricksTestServer
let caCertPath: string
let env: Record<string, string>

beforeAll(async () => {
  server = await startDatabricksTestServer({
    token: TOKEN,
    pageRows: 1_000,
    setup: [
      "ATTACH ':memory:' AS unity",
      'CREATE SCHEMA unity."ml scores"',
      `CREATE TABLE unity."ml scores"."churn ""v2"" \`x\`" AS
         SELECT i::BIGINT AS customer_id,
                (i / 1000)::DECIMAL(10, 3) AS churn_score,
                (i * 1000000000000000 + 0.01)::DECIMAL(38, 2) AS big_amount,
                TIMESTAMP '2026-03-01 12:00:00' + to_seconds(i) AS scored_at,
                DATE '2026-03-01' AS scored_on,
                ['a', 'b'] AS tags,
                MAP {'segment': 'gold'} AS labels,
                {'recency': i % 7, 'monetary': 12.5::DECIMAL(6, 2)} AS rfm
         FROM range(${ROWS}) t(i)`
    ]
  })
  caCertPath = path.join(tmpdir(), `tablecast-dbx-ca-${process.pid}.pem`)
  writeFileSync(caCertPath, server.caCert)
  env = { DATABRICKS_HOST: `https://${server.host}/`, DATABRICKS_HTTP_PATH: server.path, DATABRICKS_TOKEN: TOKEN }
})
afterAll(() => server.close())

const options = (extra: Partial<DatabricksSourceOptionsInput>): DatabricksSourceOptionsInput => ({ port: server.port, caCertPath, ...extra })

const readAll = (input: DatabricksSourceOptionsInput, environment = env) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(make(input, environment), (source) => Stream.runCollect(source.rows)))) as Promise<
    Array<SourceItem>
  >

const readError = async (input: DatabricksSourceOptionsInput, environment = env): Promise<SourceError> => {
  const exit = await Effect.runPromiseExit(Effect.scoped(Effect.flatMap(make(input, environment), (source) => Stream.runCollect(source.rows))))
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  if (error === undefined) throw new Error(`expected a SourceError, got ${String(exit.cause)}`)
  return (error as unknown as { error: SourceError }).error
}

describe("Databricks source against the protocol test server", () => {
  it("reads a Unity Catalog table by its three-part name, page by page, with exact values", async () => {
    const callsBefore = server.calls.length
    const items = await readAll(options({ table: '`unity`.`ml scores`.`churn "v2" ``x```', pageSize: 400 }))
    expect(items).toHaveLength(ROWS)
    const rows = items.map((item) => {
      if (isMalformed(item)) throw new Error(item.malformed.reason)
      return item
    })
    expect(rows.map((row) => row.rowNumber)).toEqual(Array.from({ length: ROWS }, (_, index) => index + 1))
    const last = ROWS - 1
    expect(rows[last]!.values).toEqual({
      customer_id: last,
      churn_score: Number((last / 1000).toFixed(3)),
      // Over 15 significant digits: a double would change it, so its exact text.
      big_amount: `${last}000000000000000.01`,
      scored_at: new Date(Date.UTC(2026, 2, 1, 12, 0, last)).toISOString(),
      scored_on: "2026-03-01",
      tags: ["a", "b"],
      labels: { segment: "gold" },
      // A DECIMAL inside a STRUCT by the same rule as a top-level one: a number, as it is exact.
      rfm: { recency: last % 7, monetary: 12.5 }
    })
    // The table reached SQL quoted part by part; the first page of 400 rows came in the answer to
    // ExecuteStatement (direct results), every other one was one FetchResults.
    expect(server.statements.at(-1)).toBe('SELECT * FROM `unity`.`ml scores`.`churn "v2" ``x```')
    const calls = server.calls.slice(callsBefore)
    expect(calls.slice(0, 3)).toEqual(["OpenSession", "ExecuteStatement", "DirectResults"])
    expect(calls.filter((call) => call === "FetchResults").length).toBe(Math.ceil(ROWS / 400) - 1)
    expect(calls).toContain("CloseOperation")
    expect(calls.at(-1)).toBe("CloseSession")
    expect(server.openSessions()).toBe(0)
    expect(server.openOperations()).toBe(0)
    expect(connectAttempts().some((attempt) => attempt.port === server.port)).toBe(true)
    expect(connectAttempts().every((attempt) => attempt.allowed && isLoopback(attempt.host))).toBe(true)
    expect(lookups().filter((host) => !isLoopback(host))).toEqual([])
  })

  it("keeps TIMESTAMP microseconds, and DECIMALs inside ARRAY, MAP and STRUCT by the per-column rule", async () => {
    const query = `SELECT TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS exact_at,
        TIMESTAMPTZ '1969-12-31 23:59:59.999999+00' AS before_epoch,
        TIMESTAMPTZ '2024-01-02 03:04:05.5+00' AS half_second,
        [1.5::DECIMAL(10, 2), 123456789012345678901234567.89::DECIMAL(38, 2), NULL] AS amounts,
        MAP {'gold': 0.125::DECIMAL(6, 3)} AS weights,
        {'score': 98765432109876543210.5::DECIMAL(38, 1), 'at': TIMESTAMPTZ '2030-06-30 23:59:59.000001+00'} AS nested,
        [TIMESTAMPTZ '2024-02-29 12:00:00.000042+00', NULL] AS moments,
        MAP {'first': TIMESTAMPTZ '2001-09-09 01:46:40.000007+00'} AS firsts`
    const [item] = await readAll(options({ query }))
    if (item === undefined || isMalformed(item)) throw new Error("expected one row")
    expect(item.values).toEqual({
      exact_at: "2024-01-02T03:04:05.123456Z",
      before_epoch: "1969-12-31T23:59:59.999999Z",
      half_second: "2024-01-02T03:04:05.500Z",
      amounts: [1.5, "123456789012345678901234567.89", null],
      weights: { gold: 0.125 },
      nested: { score: "98765432109876543210.5", at: "2030-06-30T23:59:59.000001Z" },
      moments: ["2024-02-29T12:00:00.000042Z", null],
      firsts: { first: "2001-09-09T01:46:40.000007Z" }
    })
    const asText = await readAll(options({ query: "SELECT [1.5::DECIMAL(10, 2)] AS amounts", bigNumbers: "string" }))
    expect(asText.map((each) => (isMalformed(each) ? each.malformed.reason : each.values))).toEqual([{ amounts: ["1.50"] }])
  })

  it("reads a query in the session's catalog and schema, BIGINT beyond 2^53 as its exact text", async () => {
    const items = await readAll(
      options({ catalog: "unity", schema: "ml scores", query: "SELECT 9007199254740993::BIGINT AS id, 'it''s;' AS note; -- done" })
    )
    expect(items.map((item) => (isMalformed(item) ? item.malformed.reason : item.values))).toEqual([{ id: "9007199254740993", note: "it's;" }])
  })

  it("describes the columns with their Databricks types and what they are sent as", async () => {
    const description = await Effect.runPromise(describeSource(options({ table: 'unity.`ml scores`.`churn "v2" ``x```' }), { samples: 2 }, env))
    expect(description.columns.map((column) => [column.name, column.sourceType, column.sentAs?.type])).toEqual([
      ["customer_id", "BIGINT", "number"],
      ["churn_score", "DECIMAL(10,3)", "number"],
      ["big_amount", "DECIMAL(38,2)", "number"],
      ["scored_at", "TIMESTAMP", "timestamp"],
      ["scored_on", "DATE", "date"],
      ["tags", "ARRAY", "array"],
      ["labels", "MAP", "json"],
      ["rfm", "STRUCT", "json"]
    ])
    expect(description.columns[0]!.samples).toEqual([0, 1])
  })

  it("a reader that stops early closes the operation and the session", async () => {
    const callsBefore = server.calls.length
    const items = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(make(options({ table: 'unity.`ml scores`.`churn "v2" ``x```', pageSize: 100 }), env), (source) =>
          Stream.runCollect(Stream.take(source.rows, 150))
        )
      )
    )
    expect(items).toHaveLength(150)
    const calls = server.calls.slice(callsBefore)
    // 150 rows are two pages of 100, the first in ExecuteStatement's answer; at most one page more
    // is read ahead, never the rest of the 2,345.
    const fetches = calls.filter((call) => call === "FetchResults").length
    expect(fetches).toBeGreaterThanOrEqual(1)
    expect(fetches).toBeLessThanOrEqual(2)
    expect(calls.slice(-2)).toEqual(["CloseOperation", "CloseSession"])
    expect(server.openOperations()).toBe(0)
    expect(server.openSessions()).toBe(0)
  })

  it("names a missing table with the warehouse's error class", async () => {
    const error = await readError(options({ table: "unity.`ml scores`.nope" }))
    expect(error.code).toBe("not-found")
    expect(error.message).toContain("TABLE_OR_VIEW_NOT_FOUND")
    expect(error.driverCode).toBe("42P01")
  })

  it("refuses a wrong token as an auth failure, without showing it", async () => {
    const wrong = "dapi-wrong-secret-token"
    const error = await readError(options({ table: "unity.`ml scores`.nope" }), { ...env, DATABRICKS_TOKEN: wrong })
    expect(error.code).toBe("auth")
    expect(error.message).not.toContain(wrong)
    expect(error.message).not.toContain(TOKEN)
  })

  it("refuses a statement that is not one read before connecting", async () => {
    const callsBefore = server.calls.length
    const error = await readError(options({ query: "SELECT 1; DROP TABLE unity.`ml scores`.x" }))
    expect(error.code).toBe("config")
    expect(server.calls.length).toBe(callsBefore)
  })
})

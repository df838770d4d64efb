import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_duckdb"

let dir: string
let sink: Sink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

/** Model output written by DuckDB itself: two Parquet files of one table, and the same rows as NDJSON. */
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-duckdb-cli-"))
  const instance = await DuckDBInstance.create(":memory:")
  const connection = await instance.connect()
  const rows = (from: number, to: number) => `
    SELECT 'cust-' || i AS customer_id, CAST(i * 1.25 AS DECIMAL(10,2)) AS ltv, CAST(i AS BIGINT) * 1000000007 AS visits,
           make_timestamp(1704067200000000 + i * 1000001)::TIMESTAMPTZ AS predicted_at, ['a', 'b'][1:(i % 2) + 1] AS tags,
           {'segment': CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END} AS info
    FROM range(${from}, ${to}) AS t(i)`
  await connection.run(`COPY (${rows(0, 3)}) TO '${path.join(dir, "scores-1.parquet")}' (FORMAT parquet)`)
  await connection.run(`COPY (${rows(3, 5)}) TO '${path.join(dir, "scores-2.parquet")}' (FORMAT parquet)`)
  await connection.run(`COPY (${rows(0, 5)}) TO '${path.join(dir, "scores.ndjson")}' (FORMAT json)`)
  connection.closeSync()
  instance.closeSync()
})

const expected = (i: number) => ({
  userId: `cust-${i}`,
  properties: {
    ltv: i * 1.25,
    visits: i * 1_000_000_007,
    // i seconds and i microseconds after 2024-01-01 UTC, every digit kept.
    predicted_at: i === 0 ? "2024-01-01T00:00:00.000Z" : `2024-01-01T00:00:0${i}.00000${i}Z`,
    tags: ["a", "b"].slice(0, (i % 2) + 1),
    info: { segment: i % 2 === 0 ? "even" : "odd" }
  }
})

const received = async (file: string) =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { userId: string; properties: Record<string, unknown> })
    .map(({ userId, properties }) => ({ userId, properties }))
    .sort((a, b) => a.userId.localeCompare(b.userId))

const sync = async (args: ReadonlyArray<string>, out: string) => {
  sink = await startSink({ out, writeKeys: [WRITE_KEY] })
  const result = await runCli(["sync", ...args, "--event", "Scored", "--customer-id", "customer_id", "--endpoint", sink.url, "--json"], {
    env: { SEGMENT_WRITE_KEY: WRITE_KEY },
    cwd: dir
  })
  await sink.close()
  sink = undefined
  return result
}

describe("Parquet and JSON files through the built CLI (DuckDB source)", () => {
  it("sends a glob of Parquet files picked by extension, exact to the values", async () => {
    const out = path.join(dir, "parquet.jsonl")
    const result = await sync(["--file", path.join(dir, "scores-*.parquet")], out)
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(5)
    expect(await received(out)).toEqual([0, 1, 2, 3, 4].map(expected))
  })

  it("sends an NDJSON file, and the result of a query over the files named by --duckdb", async () => {
    const ndjson = path.join(dir, "ndjson.jsonl")
    expect((await sync(["--file", "scores.ndjson"], ndjson)).code).toBe(0)
    expect((await received(ndjson)).map((message) => message.userId)).toEqual(["cust-0", "cust-1", "cust-2", "cust-3", "cust-4"])
    const query = path.join(dir, "query.jsonl")
    const result = await sync(
      ["--duckdb", ".", "--query", "SELECT customer_id, ltv FROM 'scores-*.parquet' WHERE ltv > 3 ORDER BY customer_id"],
      query
    )
    expect(result.code).toBe(0)
    expect(await received(query)).toEqual([
      { userId: "cust-3", properties: { ltv: 3.75 } },
      { userId: "cust-4", properties: { ltv: 5 } }
    ])
  })

  it("refuses a file outside the --duckdb paths and a statement that writes, before sending anything", async () => {
    const outside = await runCli(
      ["sync", "--duckdb", "sub", "--query", "SELECT * FROM 'scores-1.parquet'", "-e", "Scored", "-u", "customer_id", "--dry-run"],
      {
        cwd: dir
      }
    )
    expect(outside.code).toBe(6)
    expect(outside.stderr).toContain('Cannot access file "scores-1.parquet"')
    const copy = await runCli(
      ["sync", "--duckdb", ".", "--query", "COPY (SELECT 1 AS customer_id) TO 'out.csv'", "-e", "Scored", "-u", "customer_id", "--dry-run"],
      {
        cwd: dir
      }
    )
    expect(copy.code).not.toBe(0)
    expect(copy.stderr).toContain("is not a SELECT")
  })

  it("inspect proposes a sync from a Parquet file's declared types", async () => {
    const result = await runCli(["inspect", "--file", "scores-1.parquet", "--json"], { cwd: dir })
    expect(result.code).toBe(0)
    const inspection = JSON.parse(result.stdout) as {
      columns: ReadonlyArray<{ name: string; sourceType: string; kind: string }>
      proposal: { spec: Record<string, unknown> }
    }
    expect(inspection.columns.map((column) => [column.name, column.sourceType, column.kind])).toEqual([
      ["customer_id", "VARCHAR", "string"],
      ["ltv", "DECIMAL(10,2)", "decimal"],
      ["visits", "BIGINT", "decimal"],
      ["predicted_at", "TIMESTAMP WITH TIME ZONE", "timestamp"],
      ["tags", "VARCHAR[]", "array"],
      ["info", 'STRUCT("segment" VARCHAR)', "json"]
    ])
    expect(inspection.proposal.spec).toMatchObject({ customerId: "customer_id", timestamp: "predicted_at" })
  })
})

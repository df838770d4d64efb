import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { RowSource, type SourceError, type SourceItem } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer, make } from "./BigQuerySource.ts"
import type { BigQuerySourceOptionsInput } from "./BigQuerySourceOptions.ts"
import { type BigQueryTestEnv, startTestEnv } from "./BigQueryTestEnv.testkit.ts"
import { connectAttempts } from "@tablecast/loopback-guard"

const ROWS = 2_345

let bq: BigQueryTestEnv

beforeAll(async () => {
  bq = await startTestEnv({
    location: "EU",
    pageRows: 1000,
    deniedTables: ["restricted.salaries"],
    undescribedTables: ["scores.behind_view"],
    setup: [
      "CREATE SCHEMA scores",
      "CREATE SCHEMA restricted",
      "CREATE TABLE restricted.salaries AS SELECT 1 AS id",
      `CREATE TABLE scores.churn AS SELECT i AS customer_id, (i * 7 % 1000)::DECIMAL(12,3) / 1000 AS churn_score,
         'segment-' || (i % 5) AS segment FROM range(1, ${ROWS + 1}) t(i)`,
      `CREATE TABLE scores.types AS SELECT
         123456789012345678901234567.123456789::DECIMAL(38,9) AS numeric_value,
         '12345678901234567890123456.123456789012'::DECIMAL(38,12) AS bignumeric_value,
         9007199254740993::BIGINT AS big_int,
         42::BIGINT AS small_int,
         0.734::DOUBLE AS score,
         TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' AS scored_at,
         DATE '2024-02-29' AS day,
         TIMESTAMP '2024-01-02 03:04:05.5' AS local_time,
         ['a', 'b']::VARCHAR[] AS tags,
         [1.5, 2.25]::DECIMAL(10,2)[] AS amounts,
         {'city': 'Paris', 'visits': 3::BIGINT} AS address,
         '{"plan": "pro", "seats": 12345678901234567890}'::JSON AS settings,
         true AS active,
         NULL::VARCHAR AS missing`
    ]
  })
})
afterAll(async () => {
  await bq?.close()
})

const read = (options: BigQuerySourceOptionsInput, env: Record<string, string> = bq.env) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const source = yield* RowSource
        const estimated = yield* source.estimatedRows
        const items = yield* Stream.runCollect(source.rows)
        return { estimated, items: Array.from(items) as Array<SourceItem> }
      })
    ).pipe(Effect.provide(layer({ apiEndpoint: bq.server.url, location: "EU", ...options }, env)))
  )

const failure = (options: BigQuerySourceOptionsInput, env: Record<string, string> = bq.env) =>
  read(options, env).then(
    () => {
      throw new Error("expected a failure")
    },
    (error: unknown) => error as SourceError
  )

const valuesOf = (item: SourceItem) => (item as { values: Record<string, unknown> }).values

describe("BigQuery source against the REST test server", () => {
  it("reads a result of several pages, in order and exactly, asking for a page at a time", async () => {
    const before = await bq.server.stats()
    const { estimated, items } = await read({ table: "scores.churn", pageSize: 1000 })
    expect(estimated).toBe(ROWS)
    expect(items).toHaveLength(ROWS)
    items.forEach((item, index) => {
      const i = index + 1
      expect((item as { rowNumber: number }).rowNumber).toBe(i)
      expect(valuesOf(item)).toEqual({ customer_id: i, churn_score: ((i * 7) % 1000) / 1000, segment: `segment-${i % 5}` })
    })
    const after = await bq.server.stats()
    expect(after.pagesServed - before.pagesServed).toBe(Math.ceil(ROWS / 1000))
    expect(after.jobsInserted - before.jobsInserted).toBe(1)
    expect(after.dryRuns - before.dryRuns).toBe(1)
    expect(after.pollsIncomplete - before.pollsIncomplete).toBe(1)
    expect(after.maxResultsAsked.slice(before.maxResultsAsked.length)).toEqual([1000, 1000, 1000])
    expect(after.locations.slice(before.locations.length).every((location) => location === "EU")).toBe(true)
    expect(after.tokenExchanges).toBeGreaterThanOrEqual(1)
    expect(after.unauthorized).toBe(0)
  })

  it("keeps NUMERIC, BIGNUMERIC and INT64 exact and converts TIMESTAMP, DATE, DATETIME, REPEATED, RECORD and JSON", async () => {
    const { items } = await read({ query: "SELECT * FROM `tablecast-test.scores.types`" })
    expect(items).toHaveLength(1)
    expect(valuesOf(items[0]!)).toEqual({
      numeric_value: "123456789012345678901234567.123456789",
      bignumeric_value: "12345678901234567890123456.123456789012",
      big_int: "9007199254740993",
      small_int: 42,
      score: 0.734,
      scored_at: "2024-01-02T03:04:05.123456Z",
      day: "2024-02-29",
      local_time: "2024-01-02T03:04:05.500Z",
      tags: ["a", "b"],
      amounts: [1.5, 2.25],
      address: { city: "Paris", visits: 3 },
      settings: { plan: "pro", seats: "12345678901234567890" },
      active: true,
      missing: null
    })
  })

  it("says what failed, by BigQuery's reason: not found, access denied, quota, location, bytes billed", async () => {
    const missing = await failure({ table: "scores.nothing_here" })
    expect(missing.code).toBe("not-found")
    expect(missing.driverCode).toBe("notFound")
    expect(missing.message).toMatch(/scores\.nothing_here was not found/)

    const denied = await failure({ table: "restricted.salaries" })
    expect(denied.code).toBe("auth")
    expect(denied.driverCode).toBe("accessDenied")

    await bq.server.failNext({
      status: 403,
      reason: "quotaExceeded",
      message: "Quota exceeded: Your project exceeded quota for concurrent queries."
    })
    const quota = await failure({ table: "scores.churn" })
    expect(quota.code).toBe("quota")
    expect(quota.message).toMatch(/Quota exceeded/)

    const elsewhere = await failure({ table: "scores.churn", location: "US" })
    expect(elsewhere.code).toBe("not-found")

    const before = await bq.server.stats()
    const billed = await failure({ table: "scores.churn", maximumBytesBilled: 1000 })
    expect(billed.code).toBe("quota")
    expect(billed.message).toMatch(/would process \d+ bytes, over maximumBytesBilled 1000/)
    const after = await bq.server.stats()
    expect(after.jobsInserted).toBe(before.jobsInserted)
  })

  it("runs one SELECT only: the lexer refuses DML, the dry run's statement type catches what the lexer cannot see", async () => {
    const dml = await failure({ query: "DELETE FROM `scores.churn` WHERE true" })
    expect(dml.code).toBe("config")
    const before = await bq.server.stats()
    // GoogleSQL reads "a\"b" as one string, so this is a script; a lexer without backslash escapes in "…" sees one statement.
    const script = await failure({ query: 'SELECT "a\\"b"; DELETE FROM `scores.churn` WHERE true; SELECT "' })
    expect(script.code).toBe("config")
    expect(script.message).toMatch(/is a SCRIPT statement/)
    const after = await bq.server.stats()
    expect(after.jobsInserted).toBe(before.jobsInserted)
    const { items } = await read({ query: "SELECT count(*) AS n FROM `scores.churn`" })
    expect(valuesOf(items[0]!)).toEqual({ n: ROWS })
  })

  it("takes credentials from GOOGLE_APPLICATION_CREDENTIALS only, and never shows the key or a token", async () => {
    const none = await failure({ table: "scores.churn" }, {})
    expect(none.code).toBe("config")
    expect(none.message).toMatch(/GOOGLE_APPLICATION_CREDENTIALS/)

    const stranger = await failure({ table: "scores.churn" }, bq.strangerEnv)
    expect(stranger.code).toBe("auth")
    expect(stranger.message).toMatch(/invalid_grant/)
    for (const error of [none, stranger]) {
      expect(error.message).not.toContain("PRIVATE KEY")
      expect(error.message).not.toMatch(/test-token-|eyJ/)
    }
  })

  it("refuses plain http to anything but loopback, and a key whose token_uri is elsewhere", async () => {
    const endpoint = await failure({ table: "scores.churn", apiEndpoint: "http://bigquery.example.com" })
    expect(endpoint.message).toMatch(/must be https/)
    const key = JSON.parse(readFileSync(bq.env.GOOGLE_APPLICATION_CREDENTIALS!, "utf8")) as Record<string, unknown>
    const elsewhere = join(mkdtempSync(join(tmpdir(), "tablecast-bq-key-")), "key.json")
    writeFileSync(elsewhere, JSON.stringify({ ...key, token_uri: "https://tokens.example.com/token" }), { mode: 0o600 })
    const token = await failure({ table: "scores.churn" }, { GOOGLE_APPLICATION_CREDENTIALS: elsewhere })
    expect(token.code).toBe("config")
    expect(token.message).toMatch(/token_uri https:\/\/tokens\.example\.com is neither/)
    expect(token.message).not.toContain("PRIVATE KEY")
  })

  it("fingerprints the tables a read depends on by their lastModifiedTime: a change to the data changes it, a re-read does not", async () => {
    await bq.server.sql("CREATE TABLE scores.moving AS SELECT i AS id FROM range(3) t(i)")
    await bq.server.sql("CREATE TABLE scores.still AS SELECT 1 AS id")
    const fingerprint = (options: BigQuerySourceOptionsInput) =>
      Effect.runPromise(
        Effect.scoped(Effect.flatMap(make({ apiEndpoint: bq.server.url, location: "EU", ...options }, bq.env), (source) => source.fingerprint))
      )
    const table = { table: "scores.moving" }
    const query = { query: "SELECT m.id FROM `scores.moving` m JOIN `scores.still` s ON m.id = s.id" }
    const before = { table: await fingerprint(table), query: await fingerprint(query) }
    const tablesRead = (await bq.server.stats()).tablesRead
    expect(await fingerprint(table)).toBe(before.table)
    expect(await fingerprint(query)).toBe(before.query)
    // tables.get once per table the dry run names: one for the table, two for the join.
    expect((await bq.server.stats()).tablesRead - tablesRead).toBe(3)
    await bq.server.sql("INSERT INTO scores.moving VALUES (3)")
    expect(await fingerprint(table)).not.toBe(before.table)
    expect(await fingerprint(query)).not.toBe(before.query)
    // Another table's change leaves a read that does not touch it alone.
    const afterInsert = await fingerprint(table)
    await bq.server.sql("UPDATE scores.still SET id = 2")
    expect(await fingerprint(table)).toBe(afterInsert)
    // A table the account may query but not describe (tables.get denied): read, its changes not followed.
    await bq.server.sql("CREATE TABLE scores.behind_view AS SELECT 1 AS id")
    const hidden = { query: "SELECT id FROM `scores.behind_view`" }
    const first = await fingerprint(hidden)
    await bq.server.sql("INSERT INTO scores.behind_view VALUES (2)")
    expect(await fingerprint(hidden)).toBe(first)
  })

  it("opened no connection but to loopback", () => {
    expect(connectAttempts().length).toBeGreaterThan(0)
    expect(connectAttempts().filter((attempt) => !attempt.allowed)).toEqual([])
  })
})

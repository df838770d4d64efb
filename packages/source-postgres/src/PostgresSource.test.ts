import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isMalformed, RowSource, type SourceError, type SourceItem, type SourceRow } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { PostgresSourceOptionsInput } from "./PostgresSourceOptions.ts"
import { layer, make } from "./PostgresSource.ts"
import { findTestServer } from "./PostgresTestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = "tablecast_pg_source_test"

const readAll = (options: PostgresSourceOptionsInput, env = server!.env) =>
  Effect.runPromise(Effect.flatMap(make(options, env), (source) => Stream.runCollect(source.rows))) as Promise<Array<SourceItem>>

const values = async (options: PostgresSourceOptionsInput) =>
  (await readAll(options)).map((item) => {
    if (isMalformed(item)) throw new Error(`unexpected malformed row: ${item.malformed.reason}`)
    return item.values
  })

/** The SourceError a read ends with, and how many rows came before it. */
const readError = async (options: PostgresSourceOptionsInput, env = server!.env) => {
  let rowsBefore = 0
  const exit = await Effect.runPromiseExit(
    Effect.flatMap(make(options, env), (source) => Stream.runForEach(source.rows, () => Effect.sync(() => void rowsBefore++)))
  )
  if (Exit.isSuccess(exit)) throw new Error("expected the read to fail")
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  if (error === undefined) throw new Error(`expected a failure, got ${String(exit.cause)}`)
  return { error: error.error as SourceError, rowsBefore }
}

describe.skipIf(server === undefined)("PostgresSource against a real server", () => {
  beforeAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server!.admin(`DROP SCHEMA IF EXISTS "tablecast odd schema" CASCADE`)
    await server!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await server!.admin(`
      CREATE TABLE ${SCHEMA}.typed (
        id int PRIMARY KEY,
        amount numeric(12, 2),
        huge numeric,
        big bigint,
        ratio double precision,
        flag boolean,
        happened timestamptz,
        local_time timestamp,
        day date,
        doc jsonb,
        raw_json json,
        ints int[],
        names text[],
        scores numeric[],
        label text,
        uid uuid,
        span interval
      )`)
    await server!.admin(`
      INSERT INTO ${SCHEMA}.typed VALUES
        (1, 1234.50, 12345678901234567890.123456789, 9007199254740993, 0.734, true,
         '2024-03-01 12:34:56.789123+02', '2024-03-01 12:34:56', '2024-02-29',
         '{"plan": "pro", "seats": 3, "nested": {"tags": ["a", "b"]}, "id": 12345678901234567890}',
         '{"k": [1, 2.5, null]}', '{1,2,3}', '{"a b","quote\\"d",NULL}', '{0.1,12345678901234567890}',
         'Zoë 😀 東京', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:03:04'),
        (2, NULL, NULL, 42, 'NaN', false, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, '', NULL, NULL)`)
    await server!.admin(`CREATE TABLE ${SCHEMA}.files (id int, body bytea)`)
    await server!.admin(`INSERT INTO ${SCHEMA}.files VALUES (1, '\\x00ff10'::bytea)`)
    await server!.admin(`CREATE TABLE ${SCHEMA}.victim (id int)`)
    await server!.admin(`INSERT INTO ${SCHEMA}.victim SELECT generate_series(1, 3)`)
    await server!.admin(`CREATE SCHEMA "tablecast odd schema"`)
    await server!.admin(`CREATE TABLE "tablecast odd schema"."Weird ""Table"" name" ("Customer ID" text, "x; y" int)`)
    await server!.admin(`INSERT INTO "tablecast odd schema"."Weird ""Table"" name" VALUES ('c-1', 7)`)
  })

  afterAll(async () => {
    await server?.close()
  })

  it("converts each type to JSON without loss", async () => {
    const rows = await values({ table: `${SCHEMA}.typed`, query: undefined, sslmode: "disable" })
    const ordered = rows.sort((a, b) => (a.id as number) - (b.id as number))
    expect(ordered[0]).toEqual({
      id: 1,
      amount: 1234.5,
      huge: "12345678901234567890.123456789",
      big: "9007199254740993",
      ratio: 0.734,
      flag: true,
      happened: "2024-03-01T10:34:56.789123Z",
      local_time: "2024-03-01T12:34:56.000Z",
      day: "2024-02-29",
      doc: { plan: "pro", seats: 3, nested: { tags: ["a", "b"] }, id: "12345678901234567890" },
      raw_json: { k: [1, 2.5, null] },
      ints: [1, 2, 3],
      names: ["a b", 'quote"d', null],
      scores: [0.1, "12345678901234567890"],
      label: "Zoë 😀 東京",
      uid: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      span: "P1DT2H3M4S"
    })
    expect(ordered[1]).toEqual({
      id: 2,
      amount: null,
      huge: null,
      big: 42,
      ratio: "NaN",
      flag: false,
      happened: null,
      local_time: null,
      day: null,
      doc: null,
      raw_json: null,
      ints: [],
      names: null,
      scores: null,
      label: "",
      uid: null,
      span: null
    })
    // Every value survives JSON as it is.
    expect(JSON.parse(JSON.stringify(ordered))).toEqual(ordered)
  })

  it("gives NUMERIC and BIGINT as strings when asked", async () => {
    const [row] = await values({ query: `SELECT amount, big FROM ${SCHEMA}.typed WHERE id = 1`, bigNumbers: "string", sslmode: "disable" })
    expect(row).toEqual({ amount: "1234.50", big: "9007199254740993" })
  })

  it("numbers rows from 1 in reading order", async () => {
    const items = await readAll({ query: "SELECT g FROM generate_series(1, 2500) AS g ORDER BY g", pageSize: 1000, sslmode: "disable" })
    expect(items).toHaveLength(2500)
    expect(items.every((item, index) => (item as SourceRow).rowNumber === index + 1 && (item as SourceRow).values.g === index + 1)).toBe(true)
  })

  it("refuses a binary column by name before any row, unless it is mapped", async () => {
    const { error, rowsBefore } = await readError({ table: `${SCHEMA}.files`, sslmode: "disable" })
    expect(rowsBefore).toBe(0)
    expect(error.code).toBe("binary-column")
    expect(error.column).toBe("body")
    expect(error.message).toContain('"body"')
    expect(await values({ table: `${SCHEMA}.files`, binary: "base64", sslmode: "disable" })).toEqual([{ id: 1, body: "AP8Q" }])
    expect(await values({ table: `${SCHEMA}.files`, binary: "hex", sslmode: "disable" })).toEqual([{ id: 1, body: "00ff10" }])
  })

  it("reads a table whose schema and name need quoting", async () => {
    expect(await values({ table: '"tablecast odd schema"."Weird ""Table"" name"', sslmode: "disable" })).toEqual([
      { "Customer ID": "c-1", "x; y": 7 }
    ])
  })

  it("treats SQL in a table name as a name that does not exist, leaving the database untouched", async () => {
    for (const table of [
      `x; drop table ${SCHEMA}.victim`,
      `${SCHEMA}."victim; drop table ${SCHEMA}.victim; --"`,
      `"x""; drop table ${SCHEMA}.victim; --"`
    ]) {
      const { error, rowsBefore } = await readError({ table, sslmode: "disable" })
      expect(rowsBefore).toBe(0)
      expect(error.code).toBe("not-found")
      expect(error.driverCode).toBe("42P01")
    }
    // Two statements are refused before anything runs (see ReadOnlyQuery.test.ts).
    const { error } = await readError({ query: `SELECT 1; DROP TABLE ${SCHEMA}.victim`, sslmode: "disable" })
    expect(error.code).toBe("config")
    const { rows } = await server!.admin(`SELECT count(*)::int AS n FROM ${SCHEMA}.victim`)
    expect(rows[0]!.n).toBe(3)
  })

  it("runs the session read-only", async () => {
    await server!.admin(`CREATE SEQUENCE IF NOT EXISTS ${SCHEMA}.untouched`)
    const { error } = await readError({ query: `SELECT nextval('${SCHEMA}.untouched')`, sslmode: "disable" })
    expect(error.driverCode).toBe("25006")
    expect(error.message).toContain("read-only transaction")
  })

  it("names a missing table, a bad query and their SQLSTATEs", async () => {
    const missing = await readError({ table: `${SCHEMA}.no_such_table`, sslmode: "disable" })
    expect(missing.error).toMatchObject({ code: "not-found", driverCode: "42P01" })
    expect(missing.error.message).toContain("no_such_table")
    const bad = await readError({ query: "SELECT 1 +", sslmode: "disable" })
    expect(bad.error).toMatchObject({ code: "query", driverCode: "42601" })
    expect(bad.error.message).toMatch(/syntax error.*SQLSTATE 42601/)
    const column = await readError({ query: `SELECT nope FROM ${SCHEMA}.typed`, sslmode: "disable" })
    expect(column.error.driverCode).toBe("42703")
    const duplicate = await readError({ query: "SELECT 1 AS id, 2 AS id", sslmode: "disable" })
    expect(duplicate.error).toMatchObject({ code: "query", column: "id" })
  })

  it("reports an error in the middle of a read with the row it reached", async () => {
    const { error, rowsBefore } = await readError({
      query: "SELECT 1 / (2500 - g) AS x FROM generate_series(1, 5000) AS g",
      pageSize: 1000,
      sslmode: "disable"
    })
    expect(error.driverCode).toBe("22012")
    expect(rowsBefore).toBe(2000)
    expect(error.row).toBe(2001)
  })

  it("reports connection failures with their cause and never the password", async () => {
    const refused = await readError({ query: "SELECT 1", host: "127.0.0.1", port: 1, sslmode: "disable" })
    expect(refused.error).toMatchObject({ code: "connection", driverCode: "ECONNREFUSED" })

    const secret = "wrong-password-9f8e7d"
    const url = `postgres://${server!.env.PGUSER}:${secret}@${server!.env.PGHOST}:${server!.env.PGPORT}/${server!.env.PGDATABASE}?sslmode=disable`
    const auth = await readError({ url, query: "SELECT 1" }, {})
    expect(auth.error).toMatchObject({ code: "auth", driverCode: "28P01" })
    expect(auth.error.message).not.toContain(secret)
    const source = await Effect.runPromise(make({ url, query: "SELECT 1" }, {}))
    expect(source.description).not.toContain(secret)
    expect(source.description).toContain(`postgres://${server!.env.PGUSER}@`)

    const noDatabase = await readError({ query: "SELECT 1", database: "tablecast_no_such_db", sslmode: "disable" })
    expect(noDatabase.error).toMatchObject({ code: "not-found", driverCode: "3D000" })
  })

  it("keeps an explicit password Redacted and out of messages", async () => {
    const secret = "another-wrong-password"
    const { error } = await readError({ query: "SELECT 1", password: Redacted.make(secret), sslmode: "disable" })
    expect(error.driverCode).toBe("28P01")
    expect(JSON.stringify(error)).not.toContain(secret)
  })

  it("stops a query at statement_timeout", async () => {
    const { error } = await readError({ query: "SELECT pg_sleep(5)", statementTimeoutMs: 100, sslmode: "disable" })
    expect(error).toMatchObject({ code: "timeout", driverCode: "57014" })
  })

  it("reads a query from a .sql file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tablecast-pg-"))
    const file = join(dir, "model.sql")
    writeFileSync(file, `-- the model\nSELECT id, label FROM ${SCHEMA}.typed WHERE id = 1;\n`)
    expect(await values({ query: file, sslmode: "disable" })).toEqual([{ id: 1, label: "Zoë 😀 東京" }])
    const missing = await readError({ query: join(dir, "missing.sql"), sslmode: "disable" })
    expect(missing.error.code).toBe("not-found")
  })

  it("connects with TLS, verifying the server against the CA file", async () => {
    if (server!.caFile === undefined) throw new Error("TABLECAST_PG_CA is not set: run scripts/postgres/start.sh")
    const query = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    expect(await values({ query, sslmode: "verify-full", sslRootCert: server!.caFile })).toEqual([{ ssl: true }])
    expect(await values({ query, sslmode: "require" })).toEqual([{ ssl: true }])
    expect(await values({ query, sslmode: "disable" })).toEqual([{ ssl: false }])
    expect(await values({ query })).toEqual([{ ssl: true }]) // prefer
    // Without the CA the self-made certificate cannot be trusted.
    const untrusted = await readError({ query, sslmode: "verify-full" })
    expect(untrusted.error.code).toBe("connection")
    expect(untrusted.error.driverCode).toMatch(/CERT|SIGNATURE|ISSUER/)
    // The certificate is for 127.0.0.1 and localhost, not for another name of this host.
    const wrongName = await readError({ query, sslmode: "verify-full", sslRootCert: server!.caFile, host: "127.0.0.2" })
    expect(wrongName.error.code).toBe("connection")
  })

  it("estimates rows from the catalog and the planner", async () => {
    await server!.admin(`DROP TABLE IF EXISTS ${SCHEMA}.counted`)
    await server!.admin(`CREATE TABLE ${SCHEMA}.counted AS SELECT g AS id FROM generate_series(1, 5000) AS g`)
    await server!.admin(`ANALYZE ${SCHEMA}.counted`)
    const table = await Effect.runPromise(
      Effect.flatMap(make({ table: `${SCHEMA}.counted`, sslmode: "disable" }, server!.env), (s) => s.estimatedRows)
    )
    expect(table).toBe(5000)
    const query = await Effect.runPromise(
      Effect.flatMap(make({ query: `SELECT * FROM ${SCHEMA}.counted WHERE id <= 1000`, sslmode: "disable" }, server!.env), (s) => s.estimatedRows)
    )
    expect(query).toBeGreaterThan(500)
    expect(query).toBeLessThan(2000)
  })

  it("changes the fingerprint when the data changes", async () => {
    const fingerprint = () =>
      Effect.runPromise(Effect.flatMap(make({ query: `SELECT * FROM ${SCHEMA}.victim`, sslmode: "disable" }, server!.env), (s) => s.fingerprint))
    const first = await fingerprint()
    expect(await fingerprint()).toBe(first)
    // Statistics reach the shared counters when a session flushes them.
    await server!.admin(`INSERT INTO ${SCHEMA}.victim VALUES (4)`)
    await server!.admin("SELECT pg_stat_force_next_flush()")
    await server!.admin("SELECT 1")
    const second = await fingerprint()
    expect(second).not.toBe(first)
    expect(second).toMatch(/^postgres:v1:[0-9a-f]{64}$/)
    await server!.admin(`DELETE FROM ${SCHEMA}.victim WHERE id = 4`)
  })

  it("reads nothing ahead: the database produces rows only as the stream is pulled", async () => {
    await server!.admin(`DROP SEQUENCE IF EXISTS ${SCHEMA}.produced`)
    await server!.admin(`CREATE SEQUENCE ${SCHEMA}.produced`)
    const produced = async () => Number((await server!.admin<{ n: string }>(`SELECT last_value AS n FROM ${SCHEMA}.produced`)).rows[0]!.n)
    const query = `SELECT g, nextval('${SCHEMA}.produced') AS n FROM generate_series(1, 100000) AS g`
    const source = await Effect.runPromise(make({ query, pageSize: 100, readOnly: false, sslmode: "disable" }, server!.env))
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const pull = yield* Stream.toPull(source.rows)
          let rows = 0
          for (let page = 0; page < 3; page++) rows += (yield* pull).length
          // The consumer stalls here: the server has produced only what was pulled.
          const whileStalled = yield* Effect.promise(produced)
          return { rows, whileStalled }
        })
      )
    )
    expect(seen.rows).toBe(300)
    expect(seen.whileStalled).toBeLessThanOrEqual(300)
  })

  it("provides the core's RowSource through its layer", async () => {
    const description = await Effect.runPromise(
      Effect.provide(
        RowSource.useSync((source) => source.description),
        layer({ table: `${SCHEMA}.typed`, password: "not-this-one", sslmode: "disable" }, server!.env)
      )
    )
    expect(description).toBe(
      `postgres://${server!.env.PGUSER}@${server!.env.PGHOST}:${server!.env.PGPORT}/${server!.env.PGDATABASE} table "${SCHEMA}"."typed"`
    )
    const bad = await Effect.runPromiseExit(
      Effect.provide(
        RowSource.useSync((s) => s),
        layer({ sslmode: "disable" }, server!.env)
      )
    )
    expect(Exit.isFailure(bad)).toBe(true)
  })
})

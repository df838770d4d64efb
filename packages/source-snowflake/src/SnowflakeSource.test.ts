import { isMalformed, RowSource, type SourceError, type SourceItem } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectAttempts, isLoopback, lookups } from "@tablecast/loopback-guard"
import { layer, make } from "./SnowflakeSource.ts"
import type { SnowflakeSourceOptionsInput } from "./SnowflakeSourceOptions.ts"
import { startTestEnv } from "./SnowflakeTestEnv.testkit.ts"

const env = await startTestEnv()
const SCHEMA = "sf_source_test"

/** Options of a password login to the test server, plus the given ones. */
const withLogin = (options: Partial<SnowflakeSourceOptionsInput>): SnowflakeSourceOptionsInput => ({
  account: env!.account,
  user: env!.user,
  password: env!.password,
  accessUrl: env!.server.url,
  warehouse: "transforming",
  database: "analytics",
  loginRetries: 0,
  ...options
})

const readAll = (options: SnowflakeSourceOptionsInput) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(make(options, {}), (source) => Stream.runCollect(source.rows)))) as Promise<Array<SourceItem>>

const values = async (options: SnowflakeSourceOptionsInput) =>
  (await readAll(options)).map((item) => {
    if (isMalformed(item)) throw new Error(`unexpected malformed row: ${item.malformed.reason}`)
    return item.values
  })

const readError = async (options: SnowflakeSourceOptionsInput) => {
  let rowsBefore = 0
  const exit = await Effect.runPromiseExit(
    Effect.scoped(Effect.flatMap(make(options, {}), (source) => Stream.runForEach(source.rows, () => Effect.sync(() => void rowsBefore++))))
  )
  if (Exit.isSuccess(exit)) throw new Error("expected the read to fail")
  const reason = exit.cause.reasons.find((candidate) => candidate._tag === "Fail")
  if (reason === undefined) throw new Error(`expected a failure, got ${String(exit.cause)}`)
  return { error: reason.error as SourceError, rowsBefore }
}

describe.skipIf(env === undefined)("SnowflakeSource with the real driver against the protocol test server", () => {
  beforeAll(async () => {
    await env!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await env!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await env!.admin(`
      CREATE TABLE ${SCHEMA}.typed (
        id int NOT NULL,
        amount numeric(12, 2),
        huge numeric(38, 0),
        ratio double precision,
        flag boolean,
        day date,
        ntz timestamp,
        ltz timestamptz,
        tz sf.timestamp_tz,
        doc jsonb,
        obj sf.object,
        arr sf.array,
        label text,
        clock time
      )`)
    await env!.admin(`
      INSERT INTO ${SCHEMA}.typed VALUES
        (1, 1234.50, 12345678901234567890123456789, 0.734, true, '1969-07-20',
         '2024-03-01 12:34:56.789123', '2024-03-01 12:34:56.5+00',
         sf.to_timestamp_tz('2024-03-01 18:04:56.123456789+05:30'),
         '{"plan": "pro", "seats": 3, "id": 12345678901234567890}', sf.object('{"a": {"b": [1, 2]}}'),
         sf.array('[1, "two", null]'), 'Zoë 😀 東京', '13:14:15.5'),
        (2, NULL, 42, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL)`)
    await env!.admin(`CREATE TABLE ${SCHEMA}.files (id int, body bytea)`)
    await env!.admin(`INSERT INTO ${SCHEMA}.files VALUES (1, '\\x00ff10')`)
    await env!.admin(`CREATE TABLE ${SCHEMA}.victim (id int)`)
    await env!.admin(`INSERT INTO ${SCHEMA}.victim SELECT generate_series(1, 3)`)
    await env!.admin(`ANALYZE ${SCHEMA}.victim`)
    await env!.admin(`CREATE TABLE ${SCHEMA}."Weird ""Table"" name" ("Customer ID" text)`)
    await env!.admin(`INSERT INTO ${SCHEMA}."Weird ""Table"" name" VALUES ('c-1')`)
  })

  afterAll(async () => {
    await env?.close()
  })

  it("logs in with a password, reads a query and closes the session", async () => {
    const before = await env!.server.stats()
    expect(await values(withLogin({ query: "SELECT 1 AS one, 'x' AS two" }))).toEqual([{ ONE: 1, TWO: "x" }])
    const after = await env!.server.stats()
    expect(after.logins - before.logins).toBe(1)
    // POST /session?delete=true when the source's scope closed.
    expect(after.sessionsClosed - before.sessionsClosed).toBe(1)
    expect(after.openSessions).toBe(0)
  })

  it("logs in with a key pair (SNOWFLAKE_JWT)", async () => {
    const before = await env!.server.stats()
    const rows = await values({
      account: env!.account,
      user: env!.user,
      privateKeyPath: env!.privateKeyPath,
      accessUrl: env!.server.url,
      query: "SELECT 'jwt' AS how"
    })
    expect(rows).toEqual([{ HOW: "jwt" }])
    expect((await env!.server.stats()).jwtLogins - before.jwtLogins).toBe(1)
  })

  it("refuses a wrong password or key with Snowflake's codes, never printing the password", async () => {
    const secret = "wrong-password-3b2a"
    const wrong = await readError(withLogin({ password: secret, query: "SELECT 1" }))
    expect(wrong.error).toMatchObject({ code: "auth", driverCode: "390100" })
    expect(JSON.stringify(wrong.error)).not.toContain(secret)
    const stranger = await readError({
      account: env!.account,
      user: env!.user,
      privateKeyPath: env!.strangerKeyPath,
      accessUrl: env!.server.url,
      query: "SELECT 1"
    })
    expect(stranger.error).toMatchObject({ code: "auth", driverCode: "390144" })
    const url = `snowflake://${env!.user}:${secret}@${env!.account}/analytics?warehouse=wh&accessUrl=${encodeURIComponent(env!.server.url)}`
    const viaUrl = await readError({ url: Redacted.make(url), query: "SELECT 1", loginRetries: 0 })
    expect(viaUrl.error.driverCode).toBe("390100")
    expect(JSON.stringify(viaUrl.error)).not.toContain(secret)
    const source = await Effect.runPromise(Effect.scoped(make({ url, query: "SELECT 1" }, {})))
    expect(source.description).toBe(`snowflake://${env!.user}@${env!.account}/analytics?warehouse=wh query "SELECT 1"`)
  })

  it("decodes every Snowflake type encoding into JSON without loss", async () => {
    const rows = await values(withLogin({ query: `SELECT * FROM ${SCHEMA}.typed ORDER BY id` }))
    expect(rows[0]).toEqual({
      ID: 1,
      AMOUNT: 1234.5,
      HUGE: "12345678901234567890123456789",
      RATIO: 0.734,
      FLAG: true,
      DAY: "1969-07-20",
      NTZ: "2024-03-01T12:34:56.789123Z",
      LTZ: "2024-03-01T12:34:56.500Z",
      // PostgreSQL behind the test server keeps microseconds: the nanoseconds were rounded there.
      TZ: "2024-03-01T12:34:56.123457Z",
      DOC: { plan: "pro", seats: 3, id: "12345678901234567890" },
      OBJ: { a: { b: [1, 2] } },
      ARR: [1, "two", null],
      LABEL: "Zoë 😀 東京",
      CLOCK: "13:14:15.500000000"
    })
    expect(rows[1]).toEqual({
      ID: 2,
      AMOUNT: null,
      HUGE: 42,
      RATIO: null,
      FLAG: false,
      DAY: null,
      NTZ: null,
      LTZ: null,
      TZ: null,
      DOC: null,
      OBJ: null,
      ARR: null,
      LABEL: "",
      CLOCK: null
    })
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows)
    const [asStrings] = await values(withLogin({ query: `SELECT amount, huge FROM ${SCHEMA}.typed WHERE id = 1`, bigNumbers: "string" }))
    expect(asStrings).toEqual({ AMOUNT: "1234.50", HUGE: "12345678901234567890123456789" })
  })

  it("understands the Snowflake functions the translator rewrites", async () => {
    const rows = await values(
      withLogin({
        query:
          "SELECT OBJECT_CONSTRUCT('plan', 'pro', 'tags', ARRAY_CONSTRUCT('a', 'b')) AS o, PARSE_JSON('{\"n\": 12345678901234567890}') AS v, TO_TIMESTAMP_TZ('2024-01-01 10:00:00 +05:30') AS t"
      })
    )
    expect(rows).toEqual([{ O: { plan: "pro", tags: ["a", "b"] }, V: { n: "12345678901234567890" }, T: "2024-01-01T04:30:00.000Z" }])
  })

  it("refuses a BINARY column by name before any row, unless it is mapped", async () => {
    const { error, rowsBefore } = await readError(withLogin({ table: `${SCHEMA}.files` }))
    expect(rowsBefore).toBe(0)
    expect(error).toMatchObject({ code: "binary-column", column: "BODY" })
    expect(await values(withLogin({ table: `${SCHEMA}.files`, binary: "base64" }))).toEqual([{ ID: 1, BODY: "AP8Q" }])
    expect(await values(withLogin({ table: `${SCHEMA}.files`, binary: "hex" }))).toEqual([{ ID: 1, BODY: "00ff10" }])
  })

  it("reads a table by a quoted name, and a name holding SQL is only a missing table", async () => {
    expect(await values(withLogin({ table: `${SCHEMA}."Weird ""Table"" name"` }))).toEqual([{ "Customer ID": "c-1" }])
    for (const table of [`x; drop table ${SCHEMA}.victim`, `${SCHEMA}."victim; drop table ${SCHEMA}.victim; --"`]) {
      const { error, rowsBefore } = await readError(withLogin({ table }))
      expect(rowsBefore).toBe(0)
      expect(error).toMatchObject({ code: "not-found", driverCode: "002003" })
    }
    const { rows } = await env!.admin(`SELECT count(*)::int AS n FROM ${SCHEMA}.victim`)
    expect(rows[0]!.n).toBe(3)
  })

  it("names a missing table and a syntax error with Snowflake's codes", async () => {
    const missing = await readError(withLogin({ table: `${SCHEMA}.no_such_table` }))
    expect(missing.error).toMatchObject({ code: "not-found", driverCode: "002003" })
    expect(missing.error.message).toContain("does not exist or not authorized")
    expect(missing.error.message).toContain("Snowflake code 002003")
    const syntax = await readError(withLogin({ query: "SELECT 1 +" }))
    expect(syntax.error).toMatchObject({ code: "query", driverCode: "001003" })
    expect(syntax.error.message).toContain("SQLSTATE 42000")
  })

  it("reports an unreachable service as a connection failure", async () => {
    const { error } = await readError(withLogin({ accessUrl: "http://127.0.0.1:1", query: "SELECT 1" }))
    expect(error.code).toBe("connection")
    expect(error.message).toContain("ECONNREFUSED")
  })

  it("polls a query that is still running ('query in progress', 333333) until it has a result", async () => {
    const before = await env!.server.stats()
    expect(await values(withLogin({ query: "SELECT SYSTEM$WAIT(1) AS w" }))).toEqual([{ W: "waited 1 seconds" }])
    const after = await env!.server.stats()
    expect(after.inProgressAnswers - before.inProgressAnswers).toBeGreaterThanOrEqual(1)
    expect(after.resultPolls - before.resultPolls).toBeGreaterThanOrEqual(1)
  })

  it("estimates a table's rows from INFORMATION_SCHEMA and a query's from its result, running it once", async () => {
    const tableEstimate = await Effect.runPromise(
      Effect.scoped(Effect.flatMap(make(withLogin({ table: `${SCHEMA}.victim` }), {}), (s) => s.estimatedRows))
    )
    expect(tableEstimate).toBe(3)
    const before = await env!.server.stats()
    const { estimate, rows } = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const source = yield* make(withLogin({ query: `SELECT id FROM ${SCHEMA}.victim ORDER BY id` }), {})
          const estimate = yield* source.estimatedRows
          const rows = yield* Stream.runCollect(source.rows)
          return { estimate, rows }
        })
      )
    )
    expect(estimate).toBe(3)
    expect(rows).toHaveLength(3)
    const after = await env!.server.stats()
    expect(after.queries - before.queries).toBe(1)
    expect(after.logins - before.logins).toBe(1)
  })

  it("changes a table's fingerprint when its data changes", async () => {
    const fingerprint = () =>
      Effect.runPromise(Effect.scoped(Effect.flatMap(make(withLogin({ table: `${SCHEMA}.victim` }), {}), (s) => s.fingerprint)))
    const first = await fingerprint()
    expect(await fingerprint()).toBe(first)
    await env!.admin(`INSERT INTO ${SCHEMA}.victim VALUES (4)`)
    await env!.admin("SELECT pg_stat_force_next_flush()")
    await env!.admin("SELECT 1")
    expect(await fingerprint()).not.toBe(first)
    await env!.admin(`DELETE FROM ${SCHEMA}.victim WHERE id = 4`)
  })

  it("provides the core's RowSource through its layer and closes the session with it", async () => {
    const before = await env!.server.stats()
    const description = await Effect.runPromise(
      Effect.provide(
        RowSource.use((source) => Effect.as(Stream.runDrain(source.rows), source.description)),
        layer(withLogin({ table: `${SCHEMA}.victim` }), {})
      )
    )
    expect(description).toBe(`snowflake://${env!.user}@${env!.account}/analytics?warehouse=transforming table "SF_SOURCE_TEST"."VICTIM"`)
    const after = await env!.server.stats()
    expect(after.sessionsClosed - before.sessionsClosed).toBe(1)
  })

  it("never leaves loopback: no refused socket, no platform probe, no telemetry", async () => {
    const attempts = connectAttempts()
    expect(attempts.length).toBeGreaterThan(0)
    expect(attempts.filter((attempt) => !attempt.allowed)).toEqual([])
    expect(lookups().filter((host) => !isLoopback(host))).toEqual([])
    const stats = await env!.server.stats()
    expect(stats.telemetryEvents).toEqual([])
    expect(stats.telemetryRequests).toBe(0)
    expect((stats.lastLoginClientEnvironment as { PLATFORM?: unknown }).PLATFORM).toEqual(["disabled"])
    expect(isLoopback("169.254.169.254")).toBe(false)
    expect(isLoopback("127.0.0.1")).toBe(true)
  })
})

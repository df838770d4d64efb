import type { SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { connect, execute } from "./SnowflakeDriver.ts"
import { describeSource } from "./SnowflakeInspector.ts"
import { make, plan } from "./SnowflakeSource.ts"
import type { SnowflakeSourceOptionsInput } from "./SnowflakeSourceOptions.ts"
import { startTestEnv } from "./SnowflakeTestEnv.testkit.ts"

const env = await startTestEnv()
const SCHEMA = "sf_one_statement_test"
const VICTIM = `${SCHEMA}.victim`

const withLogin = (options: Partial<SnowflakeSourceOptionsInput>): SnowflakeSourceOptionsInput => ({
  account: env!.account,
  user: env!.user,
  password: env!.password,
  accessUrl: env!.server.url,
  loginRetries: 0,
  ...options
})

const failureOf = async <A>(effect: Effect.Effect<A, SourceError>): Promise<SourceError> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined) throw new Error(`expected a SourceError, got ${String(exit.cause)}`)
  return reason.error as SourceError
}

const victimCount = async () => (await env!.admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${VICTIM}`)).rows[0]!.n

describe.skipIf(env === undefined)("a Snowflake query is one statement per request", () => {
  beforeAll(async () => {
    await env!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await env!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await env!.admin(`CREATE TABLE ${VICTIM} (id int PRIMARY KEY)`)
  })
  beforeEach(async () => {
    await env!.admin(`TRUNCATE ${VICTIM}`)
    await env!.admin(`INSERT INTO ${VICTIM} VALUES (1), (2), (3)`)
  })
  afterAll(async () => {
    await env?.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await env?.close()
  })

  it("refuses a query of several statements before logging in, on the read and the description", async () => {
    const before = (await env!.server.stats()).queries
    for (const query of [
      `select id from ${VICTIM}; commit; begin; delete from ${VICTIM}; commit`,
      `select id from ${VICTIM}; delete from ${VICTIM}`,
      `select id from ${VICTIM} /* */; delete from ${VICTIM}`,
      `select 'a\\'; b' as s; delete from ${VICTIM}`
    ]) {
      const options = withLogin({ query })
      const read = await failureOf(Effect.scoped(Effect.flatMap(make(options, {}), (source) => Stream.runCollect(source.rows))))
      expect(read.code, query).toBe("config")
      expect(read.message, query).toMatch(/^Snowflake: the query \(--query\) holds more than one statement/)
      const described = await failureOf(describeSource(options, {}, {}))
      expect(described.message, query).toMatch(/^Snowflake: the query \(--query\) holds more than one statement/)
    }
    expect((await env!.server.stats()).queries).toBe(before)
    expect(await victimCount()).toBe(3)
  })

  it("sends MULTI_STATEMENT_COUNT 1, so that the server refuses several statements (the layer under the check)", async () => {
    const p = await Effect.runPromise(plan(withLogin({ table: VICTIM }), {}))
    const error = await failureOf(
      Effect.scoped(
        Effect.flatMap(connect(p.settings), (connection) =>
          Effect.andThen(
            // A session (or an account) that allows any number of statements: the request's own 1 wins.
            execute(connection, "ALTER SESSION SET MULTI_STATEMENT_COUNT = 0", p.settings, { doing: "setting up" }),
            execute(connection, `SELECT 1; DELETE FROM ${VICTIM}`, p.settings, { doing: "reading" })
          )
        )
      )
    )
    expect(error.driverCode).toBe("000008")
    expect(error.message).toContain("Actual statement count 2 did not match the desired statement count 1.")
    expect(await victimCount()).toBe(3)
  })

  it("still reads a query whose string literal holds a semicolon", async () => {
    const rows = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(make(withLogin({ query: `select id, 'a; delete' as note from ${VICTIM} order by id;` }), {}), (source) =>
          Stream.runCollect(source.rows)
        )
      )
    )
    expect(rows).toHaveLength(3)
    expect(await victimCount()).toBe(3)
  })
})

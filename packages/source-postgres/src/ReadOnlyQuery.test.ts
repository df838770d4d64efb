import { isMalformed, type SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { runQuery } from "./PostgresConnection.ts"
import { describeSource } from "./PostgresInspector.ts"
import { connectFor, make, plan } from "./PostgresSource.ts"
import type { PostgresSourceOptionsInput } from "./PostgresSourceOptions.ts"
import { findTestServer } from "./PostgresTestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = "tablecast_pg_readonly_test"
const VICTIM = `${SCHEMA}.victim`

const failureOf = async <A>(effect: Effect.Effect<A, SourceError>): Promise<SourceError> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined) throw new Error(`expected a SourceError, got ${String(exit.cause)}`)
  return reason.error as SourceError
}

/** Every way the source runs the query: the read, the estimate (EXPLAIN), the fingerprint, the description. */
const everyPath = (options: PostgresSourceOptionsInput) => ({
  rows: Effect.flatMap(make(options, server!.env), (source) => Stream.runCollect(source.rows)),
  estimate: Effect.flatMap(make(options, server!.env), (source) => source.estimatedRows),
  fingerprint: Effect.flatMap(make(options, server!.env), (source) => source.fingerprint),
  describe: describeSource(options, { samples: 3 }, server!.env)
})

const victimIds = async () => (await server!.admin<{ id: number }>(`SELECT id FROM ${VICTIM} ORDER BY id`)).rows.map((row) => row.id)

describe.skipIf(server === undefined)("a Postgres query runs as one statement in a read-only transaction", () => {
  beforeAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await server!.admin(`CREATE TABLE ${VICTIM} (id int PRIMARY KEY)`)
    await server!.admin(`CREATE FUNCTION ${SCHEMA}.wipe() RETURNS int LANGUAGE sql AS 'DELETE FROM ${VICTIM}; SELECT 1'`)
  })
  beforeEach(async () => {
    await server!.admin(`TRUNCATE ${VICTIM}`)
    await server!.admin(`INSERT INTO ${VICTIM} VALUES (1), (2), (3)`)
  })
  afterAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server?.close()
  })

  it("refuses a query of several statements before connecting, on every path, and leaves the table intact", async () => {
    for (const query of [
      `select id from ${VICTIM}; commit; begin read write; delete from ${VICTIM}; commit`,
      `select id from ${VICTIM}; delete from ${VICTIM}`,
      `select id from ${VICTIM} /* */; delete from ${VICTIM}`,
      `select id from ${VICTIM}; set transaction read write; delete from ${VICTIM}`,
      `select id from ${VICTIM}; rollback; delete from ${VICTIM}`,
      `select 'a;b' as s; commit; delete from ${VICTIM}`
    ]) {
      for (const [path, effect] of Object.entries(everyPath({ query, sslmode: "disable" }))) {
        const error = await failureOf(effect as Effect.Effect<unknown, SourceError>)
        expect(error.code, `${path}: ${query}`).toBe("config")
        expect(error.message, `${path}: ${query}`).toMatch(/^Postgres: the query \(--query\) holds more than one statement: /)
      }
      expect(await victimIds(), query).toEqual([1, 2, 3])
    }
  })

  it("refuses a statement that is not a read", async () => {
    for (const query of [`delete from ${VICTIM}`, "commit", "set transaction read write", `truncate ${VICTIM}`]) {
      const error = await failureOf(Effect.flatMap(make({ query, sslmode: "disable" }, server!.env), (source) => source.estimatedRows))
      expect(error.message).toContain("must be a single SELECT, WITH, VALUES or TABLE statement")
    }
    expect(await victimIds()).toEqual([1, 2, 3])
  })

  it("keeps a semicolon inside a string literal, an identifier or a comment working on every path", async () => {
    const query = `select id, 'a; commit; delete from victim' as "x; y" from ${VICTIM} /* ; */ where id < 3 ; -- done`
    const paths = everyPath({ query, sslmode: "disable" })
    const rows = await Effect.runPromise(paths.rows)
    expect(rows.map((item) => (isMalformed(item) ? item : item.values))).toEqual([
      { id: 1, "x; y": "a; commit; delete from victim" },
      { id: 2, "x; y": "a; commit; delete from victim" }
    ])
    expect(await Effect.runPromise(paths.estimate)).toBeGreaterThan(0)
    expect(await Effect.runPromise(paths.fingerprint)).toMatch(/^postgres:v1:/)
    expect((await Effect.runPromise(paths.describe)).columns.map((column) => column.name)).toEqual(["id", "x; y"])
    expect(await victimIds(), query).toEqual([1, 2, 3])
  })

  it("refuses a data-modifying CTE, a writing function and a switch to read-write: the transaction is read-only", async () => {
    for (const query of [
      `WITH gone AS (DELETE FROM ${VICTIM} RETURNING id) SELECT id FROM gone`,
      `SELECT ${SCHEMA}.wipe() AS n`,
      `SELECT set_config('transaction_read_only', 'off', false) AS a, ${SCHEMA}.wipe() AS n`
    ]) {
      for (const [path, effect] of Object.entries(everyPath({ query, sslmode: "disable" }))) {
        if (path === "estimate" || path === "fingerprint") continue // EXPLAIN plans, it does not run
        const error = await failureOf(effect as Effect.Effect<unknown, SourceError>)
        expect(error.message, `${path}: ${query}`).toMatch(/read-only transaction|must be at the top level|read-write mode/)
      }
      expect(await victimIds(), query).toEqual([1, 2, 3])
    }
  })

  it("sends every statement so that the server itself refuses a second one (the layer under the check)", async () => {
    const p = await Effect.runPromise(plan({ table: VICTIM, sslmode: "disable" }, server!.env))
    for (const readOnly of [true, false]) {
      const error = await failureOf(
        Effect.scoped(
          Effect.flatMap(connectFor({ ...p, options: { ...p.options, readOnly } }), (client) =>
            runQuery(client, `EXPLAIN (FORMAT JSON) SELECT 1; COMMIT; BEGIN READ WRITE; DELETE FROM ${VICTIM}; COMMIT`, [], "estimating", [])
          )
        )
      )
      expect(error.driverCode).toBe("42601")
      expect(error.message).toContain("cannot insert multiple commands into a prepared statement")
    }
    expect(await victimIds()).toEqual([1, 2, 3])
  })
})

import { contractRecord, runHistoryContract } from "@tablecast/core/testing"
import { StateError } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import { postgresRunHistory } from "./PostgresRunHistory.ts"
import { postgresSnapshotStore } from "./PostgresSnapshotStore.ts"
import { findTestServer } from "./TestServer.testkit.ts"

const server = await findTestServer()
const schemas: Array<string> = []
/** A schema of its own per case (an empty history each), dropped at the end. */
const freshSchema = () => {
  const schema = `tablecast_history_test_${process.pid}_${schemas.length}`
  schemas.push(schema)
  return schema
}
const pools: Array<pg.Pool> = []

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  if (server !== undefined) {
    for (const schema of schemas) await server.admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await server.close()
  }
})

describe.skipIf(server === undefined)("postgresRunHistory (the test PostgreSQL server)", () => {
  describe("the run history contract, a client of its own per call", () => {
    for (const c of runHistoryContract)
      it(c.name, () => c.run(async (options) => postgresRunHistory({ connection: {}, schema: freshSchema(), ...options })))
  })

  describe("the run history contract, with a pool", () => {
    const pool = new pg.Pool({ max: 2 })
    pool.on("error", () => {})
    pools.push(pool)
    for (const c of runHistoryContract) it(c.name, () => c.run(async (options) => postgresRunHistory({ pool, schema: freshSchema(), ...options })))
  })

  it("sits in the snapshot's schema beside its tables; runs of two machines land in one history", async () => {
    const schema = freshSchema()
    await Effect.runPromise(Effect.scoped(postgresSnapshotStore({ connection: {}, schema }).open("churn")))
    const first = postgresRunHistory({ connection: {}, schema })
    const second = postgresRunHistory({ connection: {}, schema })
    const a = contractRecord("2026-11-02T10:00:00.000Z")
    const b = contractRecord("2026-11-03T10:00:00.000Z", "rfm")
    await Promise.all([first.append(a), second.append(b)])
    expect((await first.list()).map((run) => run.id)).toEqual([b.id, a.id])
    const tables = await server!.admin<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
      [schema]
    )
    expect(tables.rows.map((row) => row.table_name)).toContain("run_history")
    expect(tables.rows.map((row) => row.table_name)).toContain("snapshot")
  })

  it("a store it cannot reach is a StateError naming the store, never its password", async () => {
    const history = postgresRunHistory({
      connection: { connectionString: "postgres://someone:pw-7c1e@127.0.0.1:1/db", connectionTimeoutMillis: 2_000 },
      schema: freshSchema()
    })
    const error = await history.list().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StateError)
    expect((error as StateError).message).toContain("127.0.0.1:1")
    expect((error as StateError).message).not.toContain("pw-7c1e")
  })
})

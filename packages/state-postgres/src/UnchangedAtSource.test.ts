import { assert, describe, it } from "@effect/vitest"
import type { SourceDigestsShape } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll } from "vitest"
import { postgresSnapshotStore } from "./PostgresSnapshotStore.ts"
import { findTestServer } from "./TestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = `tablecast_state_unchanged_${process.pid}`
const DATA = `${SCHEMA}_data`

afterAll(async () => {
  if (server !== undefined) {
    await server.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server.admin(`DROP SCHEMA IF EXISTS ${DATA} CASCADE`)
    await server.close()
  }
})

/** A source's digests as the Postgres source builds them, over `inner` (the user's query). */
const digestSql = (inner: string): SourceDigestsShape => ({
  relation: {
    select: `SELECT md5(t::text) AS "__tablecast_digest", count(*) OVER (PARTITION BY t.id) AS "__tablecast_copies" FROM (\n${inner}\n) AS t`,
    digestColumn: "__tablecast_digest",
    copiesColumn: "__tablecast_copies"
  },
  settings: "",
  rows: () => Stream.empty
})

describe.skipIf(server === undefined)("seeUnchangedAtSource runs the source's query read-only", () => {
  it.effect("refuses a query whose function writes, leaving the table intact", () =>
    Effect.gen(function* () {
      yield* Effect.promise(async () => {
        await server!.admin(`DROP SCHEMA IF EXISTS ${DATA} CASCADE`)
        await server!.admin(`CREATE SCHEMA ${DATA}`)
        await server!.admin(`CREATE TABLE ${DATA}.victim (id int PRIMARY KEY)`)
        await server!.admin(`INSERT INTO ${DATA}.victim VALUES (1), (2), (3)`)
        await server!.admin(`CREATE FUNCTION ${DATA}.wipe() RETURNS int LANGUAGE sql AS 'DELETE FROM ${DATA}.victim; SELECT 1'`)
      })
      const store = postgresSnapshotStore({ connection: {}, schema: SCHEMA })
      const failure = yield* Effect.flip(
        Effect.scoped(
          Effect.gen(function* () {
            const run = yield* store.open("victim-sync")
            // An entry with a digest, so that the join reads the query (an empty side ends it early).
            yield* run.commit([
              {
                rowNumber: 1,
                kind: "added",
                entry: { key: JSON.stringify(["1"]), fingerprint: "fp-1", values: "{}", sourceDigest: "not-a-digest" },
                user: "1",
                messages: []
              }
            ])
            assert.isDefined(run.seeUnchangedAtSource)
            return yield* run.seeUnchangedAtSource!(digestSql(`SELECT id, ${DATA}.wipe() AS n FROM ${DATA}.victim`))
          })
        )
      )
      assert.include(failure.message, "read-only transaction")
      const left = yield* Effect.promise(() => server!.admin<{ n: number }>(`SELECT count(*)::int AS n FROM ${DATA}.victim`))
      assert.strictEqual(left.rows[0]!.n, 3)
      // A query that only reads still counts its unchanged rows (none: no digest matches).
      const counted = yield* Effect.scoped(
        Effect.flatMap(store.open("victim-sync"), (run) => run.seeUnchangedAtSource!(digestSql(`SELECT id FROM ${DATA}.victim`)))
      )
      assert.strictEqual(counted, 0)
    })
  )
})

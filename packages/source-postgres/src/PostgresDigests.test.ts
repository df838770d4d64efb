import { isMalformed } from "@tablecast/core"
import type { DigestedItem, DigestedRow } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeDigests } from "./PostgresSource.ts"
import { findTestServer } from "./PostgresTestServer.testkit.ts"

const server = await findTestServer()
const SCHEMA = "tablecast_pg_digest_test"

const read = (filtered: boolean, sync = "s") =>
  Effect.runPromise(
    Effect.flatMap(
      makeDigests(
        {
          // A query ending in a line comment: the digest read wraps it on lines of its own.
          query: `SELECT * FROM ${SCHEMA}.scores -- the model's output`,
          digestFilter: { schema: SCHEMA, table: "snap", syncColumn: "sync", digestColumn: "source_digest", sync, key: ["id"] }
        },
        server!.env
      ),
      (digests) => Stream.runCollect(digests!.rows(filtered))
    )
  ).then((items: ReadonlyArray<DigestedItem>) =>
    [...items].map((item) => {
      if (isMalformed(item)) throw new Error(item.malformed.reason)
      return item as DigestedRow
    })
  )

describe.skipIf(server === undefined)("PostgresSource digests (diff in the database)", () => {
  beforeAll(async () => {
    await server!.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server!.admin(`CREATE SCHEMA ${SCHEMA}`)
    await server!.admin(`CREATE TABLE ${SCHEMA}.scores (id text, amount numeric(10, 3), ratio double precision, at timestamptz, note text)`)
    await server!.admin(`INSERT INTO ${SCHEMA}.scores VALUES
      ('a', 1.500, 0.1, '2026-11-01 10:00:00.5+02', 'x'),
      ('b', NULL, 1e-7, NULL, NULL),
      ('c', 3, 0.3, '2026-11-02 00:00:00+00', 'q"uote, é'),
      ('d', 4, 0.4, '2026-11-03 00:00:00+00', 'four'),
      ('d', 4, 0.4, '2026-11-03 00:00:00+00', 'four')`)
    await server!.admin(`CREATE TABLE ${SCHEMA}.snap (sync text, source_digest text)`)
  })
  afterAll(async () => {
    await server?.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server?.close()
  })

  it("reads every row with its digest, kept out of the values; the filtered read leaves out the snapshot's digests of keys that appear once", async () => {
    const all = await read(false)
    expect(all).toHaveLength(5)
    for (const row of all) {
      expect(row.sourceDigest).toMatch(/^[0-9a-f]{32}$/)
      expect(Object.keys(row.values)).toEqual(["id", "amount", "ratio", "at", "note"])
    }
    const digest = (id: string) => all.find((row) => row.values.id === id)!.sourceDigest!
    // The digest is the row's text under the source's fixed session settings, whatever the server's.
    const expected = await server!.admin(
      `BEGIN; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL extra_float_digits = 3;
       SELECT md5(t::text) AS d FROM ${SCHEMA}.scores AS t WHERE id = 'a'; COMMIT;`
    )
    expect((expected as unknown as Array<{ rows: Array<{ d: string }> }>)[4]!.rows[0]!.d).toBe(digest("a"))

    await server!.admin(`INSERT INTO ${SCHEMA}.snap VALUES ('s', $1), ('s', $2), ('s', $3), ('other', $4)`, [
      digest("a"),
      digest("b"),
      digest("d"),
      digest("c")
    ])
    const filtered = await read(true)
    // a and b are unchanged; d is in the snapshot but twice in the table: both rows come, to be reported.
    expect(filtered.map((row) => row.values.id).sort()).toEqual(["c", "d", "d"])
    expect(filtered.map((row) => row.rowNumber)).toEqual([1, 2, 3])
    expect((await read(true, "other")).map((row) => row.values.id).sort()).toEqual(["a", "b", "d", "d"])
  })
})

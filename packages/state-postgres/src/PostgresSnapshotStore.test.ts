import { assert, describe, it } from "@effect/vitest"
import { SnapshotStore, StateError } from "@tablecast/incremental"
import { snapshotStoreContract } from "@tablecast/incremental/testing"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import pg from "pg"
import { afterAll } from "vitest"
import { layer, POSTGRES_SCHEMA_VERSION, postgresSnapshotStore } from "./PostgresSnapshotStore.ts"
import { findTestServer } from "./TestServer.testkit.ts"

const server = await findTestServer()
// A schema of this file's own, dropped at the end.
const SCHEMA = `tablecast_state_test_${process.pid}`
const pools: Array<pg.Pool> = []
const poolOf = (config: pg.PoolConfig = {}) => {
  const pool = new pg.Pool({ max: 3, ...config })
  pool.on("error", () => {})
  pools.push(pool)
  return pool
}

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  if (server !== undefined) {
    await server.admin(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await server.admin(`DROP SCHEMA IF EXISTS ${SCHEMA}_race CASCADE`)
    await server.admin(`DROP SCHEMA IF EXISTS ${SCHEMA}_newer CASCADE`)
    await server.admin(`DROP SCHEMA IF EXISTS ${SCHEMA}_v1 CASCADE`)
    await server.admin(`DROP SCHEMA IF EXISTS ${SCHEMA}_v2 CASCADE`)
    await server.close()
  }
})

const added = (id: string) => ({
  rowNumber: 1,
  kind: "added" as const,
  entry: { key: JSON.stringify([id]), fingerprint: `fp-${id}`, values: "{}" },
  user: id,
  messages: []
})

describe.skipIf(server === undefined)("postgresSnapshotStore", () => {
  describe("the snapshot store contract, with a pool", () => {
    // Small pages, so that every paging case crosses several page boundaries.
    const store = postgresSnapshotStore({ pool: poolOf(), schema: SCHEMA, pageSize: 100 })
    for (const c of snapshotStoreContract) it.effect(c.name, () => c.run(store))
  })

  describe("the snapshot store contract, with a client of its own per run", () => {
    const store = postgresSnapshotStore({ connection: {}, schema: SCHEMA })
    for (const c of snapshotStoreContract) it.effect(c.name, () => c.run(store))
  })

  it.effect("returns a pooled client without the run's temp tables or lock", () =>
    Effect.gen(function* () {
      const pool = poolOf({ max: 1 })
      const store = postgresSnapshotStore({ pool, schema: SCHEMA })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const run = yield* store.open("pooled")
          yield* run.see([{ key: '["a"]', rowNumber: 1 }])
        })
      )
      const left = yield* Effect.promise(() =>
        pool.query<{ seen: string | null; staged: string | null; locks: string }>(
          `SELECT to_regclass('pg_temp.tablecast_seen')::text AS seen, to_regclass('pg_temp.tablecast_staged')::text AS staged,
                  (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::text AS locks`
        )
      )
      assert.deepStrictEqual(left.rows[0], { seen: null, staged: null, locks: "0" })
    })
  )

  // Live: it waits (real time) for the server to drop a killed session's lock.
  it.live("keeps another machine out of a sync until the holder's run ends or its session dies", () =>
    Effect.gen(function* () {
      const machineA = postgresSnapshotStore({ connection: { application_name: `holder-${process.pid}` }, schema: SCHEMA })
      const machineB = postgresSnapshotStore({ pool: poolOf(), schema: SCHEMA })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const run = yield* machineA.open("shared")
          yield* run.commit([added("a")])
          const refused = yield* Effect.flip(Effect.scoped(machineB.open("shared")))
          assert.instanceOf(refused, StateError)
          assert.include(refused.message, `Postgres state store postgres://`)
          assert.include(refused.message, `schema "${SCHEMA}": another run holds the snapshot of "shared"`)
          // Another sync is free meanwhile.
          yield* Effect.scoped(machineB.open("other"))
        })
      )
      const size = yield* Effect.scoped(Effect.map(machineB.open("shared"), (run) => run.size))
      assert.strictEqual(size, 1)

      // A holder that dies without closing (its session killed, as a crashed machine's would be).
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* machineA.open("shared")
          yield* Effect.flip(Effect.scoped(machineB.open("shared")))
          yield* Effect.promise(() =>
            server!.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [`holder-${process.pid}`])
          )
          // The server drops the lock with the session.
          let opened = false
          for (let attempt = 0; attempt < 50 && !opened; attempt++) {
            opened = yield* Effect.scoped(machineB.open("shared")).pipe(
              Effect.as(true),
              Effect.catch(() => Effect.as(Effect.sleep("100 millis"), false))
            )
          }
          assert.isTrue(opened)
        })
      )
    })
  )

  it.effect("creates its schema once when several machines start at the same moment", () =>
    Effect.gen(function* () {
      const sizes = yield* Effect.all(
        Array.from({ length: 4 }, (_, i) =>
          Effect.scoped(Effect.map(postgresSnapshotStore({ connection: {}, schema: `${SCHEMA}_race` }).open(`sync-${i}`), (run) => run.size))
        ),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(sizes, [0, 0, 0, 0])
      const version = yield* Effect.promise(() => server!.admin(`SELECT version FROM ${SCHEMA}_race.schema_version`))
      assert.deepStrictEqual(version.rows, [{ version: POSTGRES_SCHEMA_VERSION }])
    })
  )

  it.effect("refuses a schema set up by a newer tablecast", () =>
    Effect.gen(function* () {
      const store = postgresSnapshotStore({ connection: {}, schema: `${SCHEMA}_newer` })
      yield* Effect.scoped(store.open("s"))
      yield* Effect.promise(() => server!.admin(`UPDATE ${SCHEMA}_newer.schema_version SET version = $1`, [POSTGRES_SCHEMA_VERSION + 1]))
      const error = yield* Effect.flip(Effect.scoped(store.open("s")))
      assert.include(error.message, `schema "${SCHEMA}_newer": opening the snapshot of "s"`)
      assert.include(error.message, "upgrade tablecast")
    })
  )

  it.effect("never puts a password in its location or its errors", () =>
    Effect.gen(function* () {
      const password = process.env.PGPASSWORD ?? "tablecast-test"
      const url = `postgres://${process.env.PGUSER}:${encodeURIComponent(password)}@${process.env.PGHOST}:${process.env.PGPORT ?? 5432}/tablecast_no_such_db?sslmode=disable`
      const missing = postgresSnapshotStore({ connection: { connectionString: url }, schema: SCHEMA })
      assert.notInclude(missing.location, password)
      assert.include(missing.location, `postgres://${process.env.PGUSER}@`)
      const error = yield* Effect.flip(Effect.scoped(missing.open("s")))
      assert.include(error.message, `Postgres state store ${missing.location}: opening the snapshot of "s": `)
      assert.include(error.message, "tablecast_no_such_db")
      assert.notInclude(error.message, password)

      const wrong = "not-the-password-42"
      const refused = postgresSnapshotStore({ connection: { password: wrong }, schema: SCHEMA })
      const authError = yield* Effect.flip(Effect.scoped(refused.open("s")))
      assert.include(authError.message, "password authentication failed")
      assert.notInclude(authError.message, wrong)
      assert.notInclude(refused.location, wrong)
    })
  )

  it.effect("upgrades a version-2 schema (no messageId scheme table) in place: its syncs read as scheme 1", () =>
    Effect.gen(function* () {
      const v2 = `${SCHEMA}_v2`
      yield* Effect.promise(async () => {
        await server!.admin(`DROP SCHEMA IF EXISTS ${v2} CASCADE`)
        await server!.admin(`CREATE SCHEMA ${v2}`)
        await server!.admin(`CREATE TABLE ${v2}.schema_version (version integer NOT NULL)`)
        await server!.admin(`INSERT INTO ${v2}.schema_version VALUES (2)`)
        await server!.admin(`CREATE TABLE ${v2}.snapshot (sync text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL,
          fingerprint text NOT NULL, "values" text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), source_digest text, PRIMARY KEY (sync, key))`)
        await server!.admin(
          `CREATE TABLE ${v2}.syncs (sync text COLLATE "C" PRIMARY KEY, spec_hash text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`
        )
        await server!.admin(`INSERT INTO ${v2}.snapshot (sync, key, fingerprint, "values") VALUES ('s', '["old"]', 'fp-old', '{}')`)
      })
      const store = postgresSnapshotStore({ connection: {}, schema: v2 })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const run = yield* store.open("s")
          assert.strictEqual(run.size, 1)
          assert.strictEqual(run.messageIdScheme, undefined)
        })
      )
      const version = yield* Effect.promise(() => server!.admin(`SELECT version FROM ${v2}.schema_version`))
      assert.deepStrictEqual(version.rows, [{ version: POSTGRES_SCHEMA_VERSION }])
    })
  )

  it.effect("upgrades a version-1 schema in place, keeping its entries; stores source digests and the mapping they hold under", () =>
    Effect.gen(function* () {
      const v1 = `${SCHEMA}_v1`
      yield* Effect.promise(async () => {
        await server!.admin(`CREATE SCHEMA ${v1}`)
        await server!.admin(`CREATE TABLE ${v1}.schema_version (version integer NOT NULL)`)
        await server!.admin(`INSERT INTO ${v1}.schema_version VALUES (1)`)
        await server!.admin(`CREATE TABLE ${v1}.snapshot (sync text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL,
          fingerprint text NOT NULL, "values" text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (sync, key))`)
        await server!.admin(`INSERT INTO ${v1}.snapshot (sync, key, fingerprint, "values") VALUES ('s', '["old"]', 'fp-old', '{}')`)
      })
      const store = postgresSnapshotStore({ connection: {}, schema: v1 })
      const digested = { ...added("new"), entry: { ...added("new").entry, sourceDigest: "d-new" } }
      yield* Effect.scoped(
        Effect.gen(function* () {
          const run = yield* store.open("s")
          assert.strictEqual(run.size, 1)
          // A first look at a mapping: nothing to trust yet. The same mapping again: trusted.
          assert.isFalse(yield* run.adoptSpec!("spec-a"))
          assert.isTrue(yield* run.adoptSpec!("spec-a"))
          yield* run.stage([digested, added("plain")])
          const staged = yield* Effect.map(Stream.runCollect(run.staged), (chunk) => [...chunk])
          assert.deepStrictEqual(
            staged.map((change) => change.entry.sourceDigest),
            ["d-new", undefined]
          )
          yield* run.commit(staged)
        })
      )
      const rows = yield* Effect.promise(() => server!.admin(`SELECT key, source_digest FROM ${v1}.snapshot ORDER BY key`))
      assert.deepStrictEqual(rows.rows, [
        { key: '["new"]', source_digest: "d-new" },
        { key: '["old"]', source_digest: null },
        { key: '["plain"]', source_digest: null }
      ])
      const version = yield* Effect.promise(() => server!.admin(`SELECT version FROM ${v1}.schema_version`))
      assert.deepStrictEqual(version.rows, [{ version: POSTGRES_SCHEMA_VERSION }])
      yield* Effect.scoped(
        Effect.gen(function* () {
          const run = yield* store.open("s")
          // Another mapping: every digest is forgotten, so none is trusted under it.
          assert.isFalse(yield* run.adoptSpec!("spec-b"))
        })
      )
      const forgotten = yield* Effect.promise(() => server!.admin(`SELECT count(source_digest)::int AS n FROM ${v1}.snapshot`))
      assert.deepStrictEqual(forgotten.rows, [{ n: 0 }])
    })
  )

  it.effect("provides itself as the engine's SnapshotStore", () =>
    Effect.gen(function* () {
      const store = yield* SnapshotStore
      assert.include(store?.location, `schema "${SCHEMA}"`)
    }).pipe(Effect.provide(layer({ connection: {}, schema: SCHEMA })))
  )
})

import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { assert, describe, it } from "@effect/vitest"
import { MESSAGE_ID_SCHEME } from "@tablecast/core"
import { memorySnapshotStore, messageIdSchemeNote, SnapshotStore, StateError } from "@tablecast/incremental"
import { snapshotStoreContract } from "@tablecast/incremental/testing"
import * as Effect from "effect/Effect"
import { afterAll } from "vitest"
import { layer, SQLITE_SCHEMA_VERSION, sqliteSnapshotStore } from "./SqliteSnapshotStore.ts"

const folder = mkdtempSync(join(tmpdir(), "tablecast-state-sqlite-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe("the snapshot store contract", () => {
  describe("memorySnapshotStore (the reference)", () => {
    const store = memorySnapshotStore()
    for (const c of snapshotStoreContract) it.effect(c.name, () => c.run(store))
  })
  describe("sqliteSnapshotStore", () => {
    // Small pages, so that every paging case crosses several page boundaries.
    const store = sqliteSnapshotStore(join(folder, "contract", ".tablecast", "state.db"), { pageSize: 100 })
    for (const c of snapshotStoreContract) it.effect(c.name, () => c.run(store))
  })
  describe("sqliteSnapshotStore with its default page size", () => {
    const store = sqliteSnapshotStore(join(folder, "contract-default.db"))
    for (const c of snapshotStoreContract) it.effect(c.name, () => c.run(store))
  })
})

const tablesOf = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true })
  try {
    return {
      tables: db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((row) => row.name),
      journal: db.prepare("PRAGMA journal_mode").get()?.journal_mode,
      version: db
        .prepare("SELECT version FROM schema_version")
        .all()
        .map((row) => row.version),
      locks: db.prepare("SELECT count(*) AS n FROM run_lock").get()?.n
    }
  } finally {
    db.close()
  }
}

const added = (id: string) => ({
  rowNumber: 1,
  kind: "added" as const,
  entry: { key: JSON.stringify([id]), fingerprint: `fp-${id}`, values: "{}" },
  user: id,
  messages: []
})

describe("sqliteSnapshotStore", () => {
  it.effect("creates the file and its folder: WAL journal, a schema version, no working set left behind", () =>
    Effect.gen(function* () {
      const file = join(folder, "fresh", "nested", "state.db")
      const store = sqliteSnapshotStore(file)
      assert.strictEqual(store.location, file)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const run = yield* store.open("orders")
          yield* run.see([{ key: '["a"]', rowNumber: 1 }])
          yield* run.stage([added("a")])
          // While the run holds the sync: its lock row; the working sets are TEMP, not in the file.
          const during = tablesOf(file)
          assert.deepStrictEqual(during.tables, ["message_id_scheme", "run_lock", "schema_version", "snapshot"])
          assert.strictEqual(during.locks, 1)
        })
      )
      const after = tablesOf(file)
      assert.deepStrictEqual(after, {
        tables: ["message_id_scheme", "run_lock", "schema_version", "snapshot"],
        journal: "wal",
        version: [SQLITE_SCHEMA_VERSION],
        locks: 0
      })
    })
  )

  it.effect("keeps the snapshot for a new store on the same file (a later CLI process)", () =>
    Effect.gen(function* () {
      const file = join(folder, "persist.db")
      yield* Effect.scoped(Effect.flatMap(sqliteSnapshotStore(file).open("s"), (run) => run.commit([added("a"), added("b")])))
      const later = sqliteSnapshotStore(file)
      const entries = yield* Effect.scoped(Effect.flatMap(later.open("s"), (run) => run.lookup(['["b"]', '["c"]'])))
      assert.deepStrictEqual(entries, [added("b").entry, undefined])
    })
  )

  it.effect("refuses a second open of a sync through another store on the same file, naming file and holder", () =>
    Effect.gen(function* () {
      const file = join(folder, "lock.db")
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* sqliteSnapshotStore(file).open("orders")
          const refused = yield* Effect.flip(Effect.scoped(sqliteSnapshotStore(file).open("orders")))
          assert.instanceOf(refused, StateError)
          assert.include(refused.message, file)
          assert.include(refused.message, 'another run holds the snapshot of "orders"')
          assert.include(refused.message, `pid ${process.pid}`)
        })
      )
      yield* Effect.scoped(sqliteSnapshotStore(file).open("orders"))
    })
  )

  it.effect("refuses a file written by a newer tablecast, naming the file", () =>
    Effect.gen(function* () {
      const file = join(folder, "newer.db")
      yield* Effect.scoped(sqliteSnapshotStore(file).open("s"))
      const db = new DatabaseSync(file)
      db.prepare("UPDATE schema_version SET version = ?").run(SQLITE_SCHEMA_VERSION + 1)
      db.close()
      const error = yield* Effect.flip(Effect.scoped(sqliteSnapshotStore(file).open("s")))
      assert.include(error.message, `SQLite state store ${file}: opening the snapshot of "s"`)
      assert.include(error.message, "upgrade tablecast")
    })
  )

  it.effect("fails with a StateError naming the file when it cannot be opened", () =>
    Effect.gen(function* () {
      // A folder where the file should be.
      const error = yield* Effect.flip(Effect.scoped(sqliteSnapshotStore(folder).open("s")))
      assert.instanceOf(error, StateError)
      assert.include(error.message, `SQLite state store ${folder}: opening the snapshot of "s": `)
    })
  )

  it.effect("provides itself as the engine's SnapshotStore", () =>
    Effect.gen(function* () {
      const store = yield* SnapshotStore
      assert.strictEqual(store?.location, join(folder, "layer.db"))
    }).pipe(Effect.provide(layer(join(folder, "layer.db"))))
  )
})

describe("the messageId scheme", () => {
  it.effect(
    "a file of an older tablecast (no scheme recorded) keeps its entries, reads as scheme 1, and records the current scheme at its next commit",
    () =>
      Effect.gen(function* () {
        const file = join(folder, "older.db")
        const store = sqliteSnapshotStore(file)
        const change = (id: string) => ({
          rowNumber: 1,
          kind: "added" as const,
          entry: { key: JSON.stringify([id]), fingerprint: `fp-${id}`, values: "{}" },
          user: id,
          messages: []
        })
        yield* Effect.scoped(Effect.flatMap(store.open("older"), (run) => run.commit([change("a")])))
        // What a file written before schemes were recorded looks like.
        const db = new DatabaseSync(file)
        db.exec("DROP TABLE message_id_scheme")
        db.close()
        yield* Effect.scoped(
          Effect.flatMap(store.open("older"), (run) =>
            Effect.gen(function* () {
              assert.strictEqual(run.size, 1)
              assert.strictEqual(run.messageIdScheme, undefined)
              assert.match(JSON.stringify(messageIdSchemeNote(run.messageIdScheme, run.size)), /scheme 1; scheme 2 gives keyed rows the same ids/)
              assert.deepStrictEqual(yield* run.fingerprints([JSON.stringify(["a"])]), ["fp-a"])
              yield* run.commit([change("b")])
            })
          )
        )
        const reopened = yield* Effect.scoped(Effect.map(store.open("older"), (run) => ({ size: run.size, scheme: run.messageIdScheme })))
        assert.deepStrictEqual(reopened, { size: 2, scheme: MESSAGE_ID_SCHEME })
      })
  )
})

import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { DatabaseSync } from "node:sqlite"
import { SnapshotStore, type SnapshotStoreShape, StateError } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { currentHolder, describeHolder, holderIsAlive, type RunHolder } from "./RunLock.ts"
import { inTransaction, makeRun } from "./SqliteSnapshotRun.ts"

/** The schema this code reads and writes; a file from a newer tablecast is refused, not mangled. */
export const SQLITE_SCHEMA_VERSION = 1

export interface SqliteSnapshotStoreOptions {
  /** Rows per page of `staged` and `unseen` (default 1,000). */
  readonly pageSize?: number
  /** How long a statement waits for another process's write transaction (default 10 s). */
  readonly busyTimeoutMs?: number
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS snapshot (
  sync TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  "values" TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (sync, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS message_id_scheme (
  sync TEXT PRIMARY KEY,
  scheme INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_lock (
  sync TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  process_start TEXT NOT NULL,
  started_at TEXT NOT NULL,
  token TEXT NOT NULL
) WITHOUT ROWID;
`

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Each sync's snapshot in one SQLite file (Node's built-in `node:sqlite`): the embedded default,
 * one file per project. Every run opens its own connection, which holds the run's working sets in
 * TEMP tables and closes with the run's scope.
 */
export const sqliteSnapshotStore = (file: string, options: SqliteSnapshotStoreOptions = {}): SnapshotStoreShape => {
  const pageSize = options.pageSize ?? 1_000
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000
  const failure = (doing: string, error: unknown) => new StateError({ message: `SQLite state store ${file}: ${doing}: ${reasonOf(error)}` })
  const attempt = <A>(doing: string, body: () => A) =>
    Effect.try({ try: body, catch: (error) => (error instanceof StateError ? error : failure(doing, error)) })

  const connect = (): DatabaseSync => {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true })
    // node:sqlite is loaded by the first connection, not with this module: importing the package
    // (e.g. with the others, at the top of an app) costs nothing on a run that never opens a store.
    const sqlite = process.getBuiltinModule("node:sqlite") as typeof import("node:sqlite") | undefined
    if (sqlite === undefined) throw new Error(`node:sqlite is not available in Node.js ${process.version}`)
    const db = new sqlite.DatabaseSync(file, { timeout: busyTimeoutMs })
    try {
      const mode = db.prepare("PRAGMA journal_mode = WAL").get()?.journal_mode
      if (mode !== "wal" && file !== ":memory:") throw new Error(`could not switch to WAL journal mode (got ${String(mode)})`)
      // NORMAL, not FULL: in WAL mode NORMAL loses no committed transaction when the process dies
      // (the WAL is in the OS's hands at COMMIT); only a power cut or OS crash can drop the last
      // commits, and never corrupts the file. Losing a commit leaves the snapshot *behind*
      // delivery, which only re-sends rows that Segment deduplicates by messageId; it can never
      // put the snapshot ahead of delivery. FULL would fsync every commit for no gain in safety.
      db.exec("PRAGMA synchronous = NORMAL")
      db.exec("PRAGMA temp_store = FILE")
      return db
    } catch (error) {
      db.close()
      throw error
    }
  }

  const migrate = (db: DatabaseSync): void =>
    inTransaction(db, () => {
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
      const found = db.prepare("SELECT max(version) AS version FROM schema_version").get()?.version
      if (typeof found === "number" && found > SQLITE_SCHEMA_VERSION) {
        throw new Error(`the file has schema version ${found}, this tablecast knows up to ${SQLITE_SCHEMA_VERSION}: upgrade tablecast`)
      }
      db.exec(SCHEMA)
      if (found !== SQLITE_SCHEMA_VERSION) {
        db.exec("DELETE FROM schema_version")
        db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SQLITE_SCHEMA_VERSION)
      }
    })

  const takeLock = (db: DatabaseSync, sync: string, token: string): void =>
    inTransaction(db, () => {
      const row = db.prepare("SELECT pid, host, process_start, started_at FROM run_lock WHERE sync = ?").get(sync)
      if (row !== undefined) {
        const holder: RunHolder = {
          pid: Number(row.pid),
          host: String(row.host),
          processStart: String(row.process_start),
          startedAt: String(row.started_at)
        }
        if (holderIsAlive(holder)) {
          throw new StateError({
            message: `SQLite state store ${file}: another run holds the snapshot of "${sync}" (${describeHolder(holder)})`
          })
        }
        // Left by a run whose process is gone: taken over.
      }
      const me = currentHolder()
      db.prepare("INSERT OR REPLACE INTO run_lock (sync, pid, host, process_start, started_at, token) VALUES (?, ?, ?, ?, ?, ?)").run(
        sync,
        me.pid,
        me.host,
        me.processStart,
        me.startedAt,
        token
      )
    })

  const close = (db: DatabaseSync, sync: string, token: string, locked: boolean): void => {
    try {
      if (db.isTransaction) db.exec("ROLLBACK")
      db.exec("DROP TABLE IF EXISTS temp.seen; DROP TABLE IF EXISTS temp.staged")
      if (locked) db.prepare("DELETE FROM run_lock WHERE sync = ? AND token = ?").run(sync, token)
    } finally {
      db.close()
    }
  }

  return {
    location: file,
    open: (sync) =>
      Effect.acquireRelease(
        attempt(`opening the snapshot of "${sync}"`, () => {
          const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`
          const db = connect()
          let locked = false
          try {
            migrate(db)
            takeLock(db, sync, token)
            locked = true
            return { db, token, run: makeRun(db, sync, { pageSize, attempt }) }
          } catch (error) {
            try {
              close(db, sync, token, locked)
            } catch {
              // The first failure is the one to report.
            }
            throw error
          }
        }),
        ({ db, token }) => Effect.ignore(attempt(`closing the snapshot of "${sync}"`, () => close(db, sync, token, true)))
      ).pipe(Effect.map(({ run }) => run))
  }
}

/** The SQLite store as the engine's `SnapshotStore`. */
export const layer = (file: string, options?: SqliteSnapshotStoreOptions): Layer.Layer<never> =>
  Layer.succeed(SnapshotStore, sqliteSnapshotStore(file, options))

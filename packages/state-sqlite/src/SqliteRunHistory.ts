import { existsSync, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { DatabaseSync, SQLInputValue } from "node:sqlite"
import { isRunRecord, type RunFilter, type RunHistory, type RunRecord, type RunRetention } from "@tablecast/core"

export interface SqliteRunHistoryOptions {
  readonly retention?: RunRetention
  /** The clock retention measures age against. */
  readonly now?: () => Date
  /** How long a statement waits for another process's write transaction (default 10 s). */
  readonly busyTimeoutMs?: number
}

/**
 * The run history's table. Added beside the snapshot's tables without a new schema version: an
 * older tablecast opening the file leaves a table it does not know alone.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS run_history (
  id TEXT PRIMARY KEY,
  sync TEXT NOT NULL,
  outcome TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  record TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS run_history_started ON run_history (started_at, id);
`

const recordOf = (text: unknown): RunRecord | undefined => {
  try {
    const value: unknown = JSON.parse(String(text))
    return isRunRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** The WHERE clause and its values of a filter, and its LIMIT. */
const whereOf = (filter: RunFilter = {}): { readonly sql: string; readonly values: Array<SQLInputValue> } => {
  const clauses: Array<string> = []
  const values: Array<SQLInputValue> = []
  const where = (clause: string, value: SQLInputValue) => {
    clauses.push(clause)
    values.push(value)
  }
  if (filter.sync !== undefined) where("sync = ?", filter.sync)
  if (filter.outcome !== undefined) where("outcome = ?", filter.outcome)
  if (filter.since !== undefined) where("started_at >= ?", filter.since.getTime())
  if (filter.until !== undefined) where("started_at < ?", filter.until.getTime())
  const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`
  return { sql: `${clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`} ORDER BY started_at DESC, id DESC${limit}`, values }
}

/**
 * The run history in an incremental sync's SQLite state file (the snapshot's file), one row per
 * run: the record as JSON, with its sync, outcome and start beside it to filter on. Retention is
 * applied in the transaction that adds a run. Each call opens its own connection and closes it:
 * a run records once, at its end, and `tablecast runs` reads once.
 */
export const sqliteRunHistory = (file: string, options: SqliteRunHistoryOptions = {}): RunHistory & { readonly location: string } => {
  const retention = options.retention ?? {}
  const now = options.now ?? (() => new Date())
  const withDatabase = <A>(write: boolean, body: (db: DatabaseSync) => A): A => {
    if (write && file !== ":memory:") mkdirSync(dirname(file), { recursive: true })
    // Loaded here, not with the module: a plain run that never records into SQLite never loads node:sqlite.
    const sqlite = process.getBuiltinModule("node:sqlite") as typeof import("node:sqlite") | undefined
    if (sqlite === undefined) throw new Error(`node:sqlite is not available in Node.js ${process.version}`)
    const db = new sqlite.DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 10_000, readOnly: !write })
    try {
      if (write) {
        db.exec("PRAGMA journal_mode = WAL")
        db.exec(SCHEMA)
      }
      return body(db)
    } finally {
      db.close()
    }
  }
  /** A file without the table (a snapshot made before the history moved in) holds no run yet. */
  const hasTable = (db: DatabaseSync): boolean =>
    db.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'run_history'").get() !== undefined
  const read = <A>(empty: A, body: (db: DatabaseSync) => A): A => {
    if (file !== ":memory:" && !existsSync(file)) return empty
    return withDatabase(false, (db) => (hasTable(db) ? body(db) : empty))
  }
  return {
    location: file,
    append: async (record) => {
      withDatabase(true, (db) => {
        db.exec("BEGIN IMMEDIATE")
        try {
          db.prepare("INSERT OR REPLACE INTO run_history (id, sync, outcome, started_at, record) VALUES (?, ?, ?, ?, ?)").run(
            record.id,
            record.sync,
            record.outcome,
            Date.parse(record.startedAt),
            JSON.stringify(record)
          )
          if (retention.maxAgeDays !== undefined) {
            db.prepare("DELETE FROM run_history WHERE started_at < ?").run(now().getTime() - retention.maxAgeDays * 86_400_000)
          }
          if (retention.maxRuns !== undefined) {
            db.prepare("DELETE FROM run_history WHERE id NOT IN (SELECT id FROM run_history ORDER BY started_at DESC, id DESC LIMIT ?)").run(
              retention.maxRuns
            )
          }
          db.exec("COMMIT")
        } catch (error) {
          db.exec("ROLLBACK")
          throw error
        }
      })
    },
    list: async (filter) =>
      read([], (db) => {
        const { sql, values } = whereOf(filter)
        return db
          .prepare(`SELECT record FROM run_history${sql}`)
          .all(...values)
          .flatMap((row) => recordOf(row.record) ?? [])
      }),
    get: async (id) => read(undefined, (db) => recordOf(db.prepare("SELECT record FROM run_history WHERE id = ?").get(id)?.record))
  }
}

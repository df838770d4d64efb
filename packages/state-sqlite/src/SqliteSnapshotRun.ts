import type { DatabaseSync, StatementSync } from "node:sqlite"
import { MESSAGE_ID_SCHEME } from "@tablecast/core"
import type { SnapshotEntry, SnapshotRun, StagedChange, StateError } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

// The run's working sets: TEMP tables live in a temporary file of this connection only
// (temp_store=FILE), so 10 million keys cost disk, not memory, and closing the connection deletes
// them whatever happens to the process.
const WORKING_SETS = `
CREATE TEMP TABLE seen (
  key TEXT PRIMARY KEY,
  row_number INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TEMP TABLE staged (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  side TEXT NOT NULL,
  row_number INTEGER NOT NULL,
  kind TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  "values" TEXT NOT NULL,
  user TEXT NOT NULL,
  messages TEXT NOT NULL,
  UNIQUE (key, side)
);
`

interface StagedRow {
  readonly seq: number
  readonly key: string
  readonly row_number: number
  readonly kind: StagedChange["kind"]
  readonly fingerprint: string
  readonly values: string
  readonly user: string
  readonly messages: string
}

/** The "side" of a staged change: a removal and an addition of one key are staged apart. */
const sideOf = (change: StagedChange): string => (change.kind === "removed" ? "-" : "+")

/**
 * Runs `body` in a transaction, rolled back if it throws. Writes to the file take its write lock
 * up front (IMMEDIATE): a DEFERRED transaction that upgrades later can fail with SQLITE_BUSY at
 * once instead of waiting out the busy timeout. Writes to TEMP tables only need no file lock.
 */
export const inTransaction = <A>(db: DatabaseSync, body: () => A, mode: "IMMEDIATE" | "DEFERRED" = "IMMEDIATE"): A => {
  db.exec(`BEGIN ${mode}`)
  try {
    const result = body()
    db.exec("COMMIT")
    return result
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK")
    throw error
  }
}

/** The statements of a run, prepared once on its connection. */
const prepareStatements = (db: DatabaseSync) =>
  ({
    // CROSS JOIN fixes the plan: walk the chunk's keys, probe the primary key for each; answers
    // each entry with the index of its key in the chunk.
    // Plain `?` placeholders, bound in order (the keys, then the sync): Node 22.15's node:sqlite
    // takes numbered ones (a question mark and a digit) for named parameters and fails with "column index out of range".
    lookup: db.prepare(
      `SELECT k.key AS i, s.fingerprint, s."values" FROM json_each(?) AS k CROSS JOIN snapshot AS s ON s.sync = ? AND s.key = k.value`
    ),
    fingerprints: db.prepare(`SELECT k.key AS i, s.fingerprint FROM json_each(?) AS k CROSS JOIN snapshot AS s ON s.sync = ? AND s.key = k.value`),
    seenBefore: db.prepare("SELECT key, row_number FROM temp.seen WHERE key IN (SELECT value FROM json_each(?))"),
    see: db.prepare("INSERT INTO temp.seen (key, row_number) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"),
    stage: db.prepare(
      `INSERT INTO temp.staged (key, side, row_number, kind, fingerprint, "values", user, messages)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key, side) DO UPDATE SET row_number = excluded.row_number, kind = excluded.kind,
         fingerprint = excluded.fingerprint, "values" = excluded."values", user = excluded.user, messages = excluded.messages`
    ),
    unstage: db.prepare("DELETE FROM temp.staged WHERE key IN (SELECT value FROM json_each(?))"),
    stagedPage: db.prepare(
      `SELECT seq, key, row_number, kind, fingerprint, "values", user, messages FROM temp.staged WHERE seq > ? ORDER BY seq LIMIT ?`
    ),
    unseenFirstPage: db.prepare(
      `SELECT key, fingerprint, "values" FROM snapshot AS s
       WHERE s.sync = ? AND NOT EXISTS (SELECT 1 FROM temp.seen AS t WHERE t.key = s.key)
       ORDER BY s.key LIMIT ?`
    ),
    unseenPage: db.prepare(
      `SELECT key, fingerprint, "values" FROM snapshot AS s
       WHERE s.sync = ? AND s.key > ? AND NOT EXISTS (SELECT 1 FROM temp.seen AS t WHERE t.key = s.key)
       ORDER BY s.key LIMIT ?`
    ),
    stagedUsers: db.prepare(
      "SELECT count(DISTINCT user) AS touched, count(DISTINCT CASE WHEN kind = 'added' THEN user END) AS added FROM temp.staged"
    ),
    upsert: db.prepare(
      `INSERT INTO snapshot (sync, key, fingerprint, "values", updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (sync, key) DO UPDATE SET fingerprint = excluded.fingerprint, "values" = excluded."values",
         updated_at = excluded.updated_at`
    ),
    remove: db.prepare("DELETE FROM snapshot WHERE sync = ? AND key = ?"),
    recordScheme: db.prepare(
      "INSERT INTO message_id_scheme (sync, scheme) VALUES (?, ?) ON CONFLICT (sync) DO UPDATE SET scheme = excluded.scheme"
    ),
    forgetUnseen: db.prepare("DELETE FROM snapshot WHERE sync = ? AND NOT EXISTS (SELECT 1 FROM temp.seen AS t WHERE t.key = snapshot.key)")
  }) satisfies Record<string, StatementSync>

type Statements = ReturnType<typeof prepareStatements>

/** What a run's steps share: its connection, its sync, its statements. */
export interface RunContext {
  readonly db: DatabaseSync
  readonly sync: string
  readonly statements: Statements
  /** Rows per page of `staged` and `unseen`. */
  readonly pageSize: number
  /** Runs a step of the store, its failure a `StateError` naming the store and what failed. */
  readonly attempt: <A>(doing: string, body: () => A) => Effect.Effect<A, StateError>
}

const toEntry = (row: Record<string, unknown>): SnapshotEntry => ({
  key: row.key as string,
  fingerprint: row.fingerprint as string,
  values: row.values as string
})

/** Records the chunk's keys as seen; answers, for each, the row that had it first when an earlier row did. */
const seeKeys =
  ({ sync, statements, attempt }: RunContext): SnapshotRun["see"] =>
  (rows) =>
    rows.length === 0
      ? Effect.succeed([])
      : attempt(`recording ${rows.length} seen keys of "${sync}"`, () => {
          // Duplicates within the chunk are found here; the first row of each new key goes in
          // one statement. Fewer rows inserted than offered means some keys were seen in an
          // earlier chunk (rare: a duplicate in the source), looked up then.
          const first = new Map<string, number>()
          const fresh: Array<readonly [string, number]> = []
          const answers = rows.map(({ key, rowNumber }): number | undefined => {
            const earlier = first.get(key)
            if (earlier === undefined) {
              first.set(key, rowNumber)
              fresh.push([key, rowNumber])
            }
            return earlier
          })
          if (fresh.length === 0) return answers
          const inserted = Number(statements.see.run(JSON.stringify(fresh)).changes)
          if (inserted < fresh.length) {
            const recorded = new Map<string, number>()
            for (const row of statements.seenBefore.all(JSON.stringify(fresh.map(([key]) => key)))) {
              recorded.set(row.key as string, Number(row.row_number))
            }
            rows.forEach(({ key }, i) => {
              // Row numbers are unique: a key recorded with another row than this chunk's first
              // was seen in an earlier chunk, and every row of it here is a duplicate of that row.
              const earlier = recorded.get(key)
              if (earlier !== undefined && earlier !== first.get(key)) answers[i] = earlier
            })
          }
          return answers
        })

/** Stages the changes a run sends, with their messages, in the run's working set. */
const stageChanges =
  ({ db, sync, statements, attempt }: RunContext): SnapshotRun["stage"] =>
  (changes) =>
    changes.length === 0
      ? Effect.void
      : attempt(`staging ${changes.length} changes of "${sync}"`, () =>
          inTransaction(
            db,
            () => {
              for (const change of changes) {
                statements.stage.run(
                  change.entry.key,
                  sideOf(change),
                  change.rowNumber,
                  change.kind,
                  change.entry.fingerprint,
                  change.entry.values,
                  change.user,
                  JSON.stringify(change.messages)
                )
              }
            },
            "DEFERRED"
          )
        )

/** Records acknowledged changes in the snapshot, in one transaction. */
const commitChanges =
  ({ db, sync, statements, attempt }: RunContext): SnapshotRun["commit"] =>
  (delivered) =>
    delivered.length === 0
      ? Effect.void
      : attempt(`committing ${delivered.length} delivered changes of "${sync}"`, () => {
          const now = new Date().toISOString()
          inTransaction(db, () => {
            // In order: the last change of a key within one commit wins.
            for (const change of delivered) {
              if (change.kind === "removed") statements.remove.run(sync, change.entry.key)
              else statements.upsert.run(sync, change.entry.key, change.entry.fingerprint, change.entry.values, now)
            }
            statements.recordScheme.run(sync, MESSAGE_ID_SCHEME)
          })
        })

/** One run of a sync's snapshot, on its own connection: creates the run's working sets (see `SnapshotRun`). */
export const makeRun = (db: DatabaseSync, sync: string, context: Pick<RunContext, "pageSize" | "attempt">): SnapshotRun => {
  db.exec(WORKING_SETS)
  const size = Number(db.prepare("SELECT count(*) AS n FROM snapshot WHERE sync = ?").get(sync)?.n ?? 0)
  // Absent for a snapshot written before schemes were recorded (a file of an older tablecast).
  const scheme = db.prepare("SELECT scheme FROM message_id_scheme WHERE sync = ?").get(sync)?.scheme
  const statements = prepareStatements(db)
  const ctx: RunContext = { db, sync, statements, ...context }
  const { attempt, pageSize } = context

  /** Keyset pagination: each page is one short query, so no statement stays open between pages. */
  const pages = <A, K>(doing: string, start: K, page: (after: K) => { readonly items: ReadonlyArray<A>; readonly last: K }) =>
    Stream.paginate(start, (after: K) =>
      attempt(doing, () => {
        const { items, last } = page(after)
        return [items, items.length < pageSize ? Option.none<K>() : Option.some(last)] as const
      })
    )

  return {
    size,
    ...(typeof scheme === "number" ? { messageIdScheme: scheme } : {}),
    lookup: (keys) =>
      keys.length === 0
        ? Effect.succeed([])
        : attempt(`looking up ${keys.length} keys of "${sync}"`, () => {
            const entries = new Array<SnapshotEntry | undefined>(keys.length).fill(undefined)
            for (const row of statements.lookup.all(JSON.stringify(keys), sync)) {
              const i = Number(row.i)
              entries[i] = { key: keys[i]!, fingerprint: row.fingerprint as string, values: row.values as string }
            }
            return entries
          }),
    fingerprints: (keys) =>
      keys.length === 0
        ? Effect.succeed([])
        : attempt(`looking up ${keys.length} fingerprints of "${sync}"`, () => {
            const fingerprints = new Array<string | undefined>(keys.length).fill(undefined)
            for (const row of statements.fingerprints.all(JSON.stringify(keys), sync)) fingerprints[Number(row.i)] = row.fingerprint as string
            return fingerprints
          }),
    unstage: (keys) =>
      keys.length === 0
        ? Effect.void
        : attempt(`unstaging ${keys.length} keys of "${sync}"`, () => void statements.unstage.run(JSON.stringify(keys))),
    unseen: pages(`reading the unseen entries of "${sync}"`, undefined as string | undefined, (after) => {
      const rows = after === undefined ? statements.unseenFirstPage.all(sync, pageSize) : statements.unseenPage.all(sync, after, pageSize)
      const items = rows.map(toEntry)
      return { items, last: items.at(-1)?.key ?? after }
    }),
    staged: pages(`reading the staged changes of "${sync}"`, 0, (after: number) => {
      const rows = statements.stagedPage.all(after, pageSize) as unknown as ReadonlyArray<StagedRow>
      const items = rows.map(
        (row): StagedChange => ({
          rowNumber: row.row_number,
          kind: row.kind,
          entry: { key: row.key, fingerprint: row.fingerprint, values: row.values },
          user: row.user,
          messages: JSON.parse(row.messages)
        })
      )
      return { items, last: rows.at(-1)?.seq ?? after }
    }),
    stagedUsers: attempt(`counting the staged users of "${sync}"`, () => {
      const row = statements.stagedUsers.get()
      return { touched: Number(row?.touched ?? 0), added: Number(row?.added ?? 0) }
    }),
    forgetUnseen: attempt(`forgetting the unseen entries of "${sync}"`, () =>
      inTransaction(db, () => Number(statements.forgetUnseen.run(sync).changes))
    ),
    see: seeKeys(ctx),
    stage: stageChanges(ctx),
    commit: commitChanges(ctx)
  }
}

import { MESSAGE_ID_SCHEME } from "@tablecast/core"
import type { SnapshotEntry, SnapshotRun, StagedChange, StateError } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { quoteIdentifier } from "@tablecast/source-sql"
import type pg from "pg"
import type { StoreTables } from "./PostgresStoreSchema.ts"

/** What a run's statements share: its client (one session), its sync, the store's tables. */
export interface RunContext {
  readonly client: pg.ClientBase
  readonly sync: string
  readonly tables: StoreTables
  /** Rows per page of `staged` and `unseen`. */
  readonly pageSize: number
  /** Runs a step of the store, its failure a `StateError` naming the store and what failed. */
  readonly attempt: <A>(doing: string, body: () => Promise<A>) => Effect.Effect<A, StateError>
  /** A number for the run's next cursor, unique in its session. */
  readonly nextCursor: () => number
}

/**
 * The session settings that decide a row's text form, as the Postgres source sets them: a row's
 * digest (`md5(t::text)`) must be the same in the source's session and in the store's.
 */
const DIGEST_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, MDY'",
  "SET LOCAL IntervalStyle = 'iso_8601'",
  "SET LOCAL bytea_output = 'hex'",
  "SET LOCAL extra_float_digits = 3",
  // A hash join of the table's digests with the snapshot's (about 70 MB per 1,000,000 rows): with
  // the default 4 MB the planner probes the index once per row, three times slower.
  "SET LOCAL work_mem = '64MB'"
]

interface StagedRow {
  readonly key: string
  readonly row_number: string
  readonly kind: StagedChange["kind"]
  readonly fingerprint: string
  readonly values: string
  readonly user: string
  readonly messages: string
  readonly source_digest: string | null
}

const sideOf = (change: StagedChange): string => (change.kind === "removed" ? "-" : "+")

const queryOf =
  ({ attempt, client }: RunContext) =>
  <R extends pg.QueryResultRow>(doing: string, text: string, values: ReadonlyArray<unknown>) =>
    attempt(doing, () => client.query<R>(text, [...values]))

/**
 * A stream over a query's rows, `pageSize` rows per round trip. The query runs once, as a
 * WITH HOLD cursor (its result kept by the server, on disk when large): other statements of the
 * run (stage, commit) can go on between pages, and no page re-scans what earlier pages passed
 * (keyset pages can, when the planner lacks statistics on a freshly filled table).
 */
const cursorPagesOf = (ctx: RunContext) => {
  const { client, attempt, pageSize } = ctx
  return <Row extends pg.QueryResultRow, A>(
    doing: string,
    text: string,
    values: ReadonlyArray<unknown>,
    analyze: ReadonlyArray<string>,
    toItem: (row: Row) => A
  ): Stream.Stream<A, StateError> =>
    Stream.unwrap(
      Effect.acquireRelease(
        attempt(doing, async () => {
          const name = `tablecast_cursor_${ctx.nextCursor()}`
          // Temp tables get no statistics from autovacuum: fresh ones let the planner pick a
          // one-pass plan over millions of keys.
          for (const table of analyze) await client.query(`ANALYZE ${table}`)
          await client.query("BEGIN")
          try {
            await client.query(`DECLARE ${name} NO SCROLL CURSOR WITH HOLD FOR ${text}`, [...values])
            await client.query("COMMIT")
          } catch (error) {
            await client.query("ROLLBACK").catch(() => {})
            throw error
          }
          return name
        }),
        (name) =>
          Effect.promise(() =>
            client.query(`CLOSE ${name}`).then(
              () => {},
              () => {}
            )
          )
      ).pipe(
        Effect.map((name) =>
          Stream.paginate(undefined, () =>
            attempt(doing, async () => {
              const result = await client.query<Row>(`FETCH FORWARD ${pageSize} FROM ${name}`)
              const items = result.rows.map(toItem)
              return [items, items.length < pageSize ? Option.none<undefined>() : Option.some(undefined)] as const
            })
          )
        )
      )
    )
}

/** The snapshot rows of `keys` (their `columns`), in the keys' order: undefined where a key has none. */
const probeOf = (ctx: RunContext) => {
  const { sync, tables } = ctx
  const query = queryOf(ctx)
  return <Row extends { i: string }>(
    keys: ReadonlyArray<string>,
    doing: string,
    columns: string
  ): Effect.Effect<ReadonlyArray<Row | undefined>, StateError> =>
    keys.length === 0
      ? Effect.succeed([])
      : query<Row>(
          doing,
          // LATERAL ... LIMIT 1 keeps the plan an index probe per key: as a plain join, the
          // planner (knowing the array has thousands of elements) hashes the whole snapshot.
          `SELECT k.i, s.*
             FROM unnest($2::text[]) WITH ORDINALITY AS k(key, i)
             CROSS JOIN LATERAL (
               SELECT ${columns} FROM ${tables.snapshot} WHERE sync = $1 AND key = k.key LIMIT 1
             ) AS s`,
          [sync, keys]
        ).pipe(
          Effect.map((result) => {
            const found = new Array<Row | undefined>(keys.length).fill(undefined)
            for (const row of result.rows) found[Number(row.i) - 1] = row
            return found
          })
        )
}

/** Records the chunk's keys as seen; answers, for each, the row that had it first when an earlier row did. */
const seeKeys = (ctx: RunContext): SnapshotRun["see"] => {
  const { sync } = ctx
  const query = queryOf(ctx)
  return (rows) => {
    if (rows.length === 0) return Effect.succeed([])
    // Duplicates within the chunk are found here; the chunk's first rows go in one statement,
    // which also answers the keys an earlier chunk recorded (the CTE's reads see the table
    // as it was before its insert).
    const first = new Map<string, number>()
    const freshKeys: Array<string> = []
    const freshRows: Array<number> = []
    const answers = rows.map(({ key, rowNumber }): number | undefined => {
      const earlier = first.get(key)
      if (earlier === undefined) {
        first.set(key, rowNumber)
        freshKeys.push(key)
        freshRows.push(rowNumber)
      }
      return earlier
    })
    return query<{ key: string; row_number: string }>(
      `recording ${rows.length} seen keys of "${sync}"`,
      `WITH input AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS t(key, row_number)),
            recorded AS (INSERT INTO pg_temp.tablecast_seen (key, row_number) SELECT key, row_number FROM input ON CONFLICT DO NOTHING)
       SELECT input.key, s.row_number FROM input
         CROSS JOIN LATERAL (SELECT row_number FROM pg_temp.tablecast_seen AS t WHERE t.key = input.key LIMIT 1) AS s`,
      [freshKeys, freshRows]
    ).pipe(
      Effect.map((result) => {
        if (result.rows.length === 0) return answers
        const earlierChunk = new Map(result.rows.map((row) => [row.key, Number(row.row_number)] as const))
        rows.forEach(({ key }, i) => {
          const earlier = earlierChunk.get(key)
          if (earlier !== undefined) answers[i] = earlier
        })
        return answers
      })
    )
  }
}

/** Stages the changes a run sends, with their messages, in the run's working set. */
const stageChanges = (ctx: RunContext): SnapshotRun["stage"] => {
  const { sync } = ctx
  const query = queryOf(ctx)
  return (changes) => {
    if (changes.length === 0) return Effect.void
    // One row per (key, side): the last change wins, at the place of the first (as re-staging
    // in a later chunk does), and ON CONFLICT never meets a key twice in one statement.
    const latest = new Map<string, StagedChange>()
    for (const change of changes) latest.set(`${sideOf(change)}${change.entry.key}`, change)
    const staged = [...latest.values()]
    return query(
      `staging ${changes.length} changes of "${sync}"`,
      `INSERT INTO pg_temp.tablecast_staged (key, side, row_number, kind, fingerprint, "values", "user", messages, source_digest)
       SELECT key, side, row_number, kind, fingerprint, "values", "user", messages, source_digest
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
              WITH ORDINALITY AS t(key, side, row_number, kind, fingerprint, "values", "user", messages, source_digest, i)
        ORDER BY i
       ON CONFLICT (key, side) DO UPDATE SET row_number = excluded.row_number, kind = excluded.kind,
         fingerprint = excluded.fingerprint, "values" = excluded."values", "user" = excluded."user", messages = excluded.messages,
         source_digest = excluded.source_digest`,
      [
        staged.map((c) => c.entry.key),
        staged.map(sideOf),
        staged.map((c) => c.rowNumber),
        staged.map((c) => c.kind),
        staged.map((c) => c.entry.fingerprint),
        staged.map((c) => c.entry.values),
        staged.map((c) => c.user),
        staged.map((c) => JSON.stringify(c.messages)),
        staged.map((c) => c.entry.sourceDigest ?? null)
      ]
    ).pipe(Effect.asVoid)
  }
}

/** Records acknowledged changes in the snapshot: one statement, so one transaction. */
const commitChanges = (ctx: RunContext): SnapshotRun["commit"] => {
  const { sync, tables } = ctx
  const query = queryOf(ctx)
  return (delivered) => {
    if (delivered.length === 0) return Effect.void
    // The last change of a key wins; removals and upserts then touch disjoint keys, and one
    // statement (one transaction) applies them all or nothing.
    const latest = new Map<string, StagedChange>()
    for (const change of delivered) {
      latest.delete(change.entry.key)
      latest.set(change.entry.key, change)
    }
    const removed: Array<string> = []
    const kept: Array<StagedChange> = []
    for (const change of latest.values()) {
      if (change.kind === "removed") removed.push(change.entry.key)
      else kept.push(change)
    }
    return query(
      `committing ${delivered.length} delivered changes of "${sync}"`,
      `WITH removed AS (DELETE FROM ${tables.snapshot} WHERE sync = $1 AND key = ANY($2::text[])),
       scheme AS (INSERT INTO ${tables.schemes} (sync, scheme) VALUES ($1, $7)
         ON CONFLICT (sync) DO UPDATE SET scheme = excluded.scheme)
       INSERT INTO ${tables.snapshot} AS s (sync, key, fingerprint, "values", updated_at, source_digest)
       SELECT $1, key, fingerprint, "values", now(), source_digest
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS t(key, fingerprint, "values", source_digest)
       ON CONFLICT (sync, key) DO UPDATE SET fingerprint = excluded.fingerprint, "values" = excluded."values",
         updated_at = excluded.updated_at, source_digest = excluded.source_digest`,
      // An entry written without a digest (a run that read every row itself) gets none: only
      // runs that adopted the sync's mapping (adoptSpec) write digests.
      [
        sync,
        removed,
        kept.map((c) => c.entry.key),
        kept.map((c) => c.entry.fingerprint),
        kept.map((c) => c.entry.values),
        kept.map((c) => c.entry.sourceDigest ?? null),
        MESSAGE_ID_SCHEME
      ]
    ).pipe(Effect.asVoid)
  }
}

/** Records the hash of the sync's mapping; forgets every source digest when it changed. */
const adoptSpecOf = (ctx: RunContext): SnapshotRun["adoptSpec"] => {
  const { client, sync, tables, attempt } = ctx
  return (specHash) =>
    attempt(`recording the mapping of "${sync}"`, async () => {
      const recorded = await client.query<{ spec_hash: string }>(`SELECT spec_hash FROM ${tables.syncs} WHERE sync = $1`, [sync])
      if (recorded.rows[0]?.spec_hash === specHash) return true
      // Digests written under another mapping would pass rows off as unchanged that the new
      // mapping sends differently: forget them with the new hash, in one transaction.
      await client.query("BEGIN")
      try {
        await client.query(`UPDATE ${tables.snapshot} SET source_digest = NULL WHERE sync = $1 AND source_digest IS NOT NULL`, [sync])
        await client.query(
          `INSERT INTO ${tables.syncs} (sync, spec_hash, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (sync) DO UPDATE SET spec_hash = excluded.spec_hash, updated_at = excluded.updated_at`,
          [sync, specHash]
        )
        await client.query("COMMIT")
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {})
        throw error
      }
      return false
    })
}

/** Records as seen the keys whose entries the source's rows match by digest (see `SnapshotRun.seeUnchangedAtSource`). */
const seeUnchangedAtSourceOf = (ctx: RunContext): SnapshotRun["seeUnchangedAtSource"] => {
  const { client, sync, tables, attempt } = ctx
  return ({ relation }) =>
    attempt(`finding the rows of "${sync}" unchanged in the database`, async () => {
      // The same rows the source's filtered read leaves out: a key that appears once, whose
      // row's digest is an entry's. (A row written between this statement and the read can
      // come through too: it is then classified as usual, and also counted here.)
      // `source.relation.select` holds the source's query: read-only, as the source's own session is (only
      // the temp table may be written), and one statement (sent with parameters, so through
      // the extended protocol, which refuses a second one).
      await client.query("BEGIN TRANSACTION READ ONLY")
      try {
        for (const setting of DIGEST_SETTINGS) await client.query(setting)
        const result = await client.query(
          `INSERT INTO pg_temp.tablecast_unchanged (key)
           SELECT s.key FROM ${tables.snapshot} AS s
             JOIN (${relation.select}) AS d ON d.${quoteIdentifier(relation.digestColumn)} = s.source_digest
            WHERE s.sync = $1 AND d.${quoteIdentifier(relation.copiesColumn)} = 1`,
          [sync]
        )
        await client.query("COMMIT")
        return result.rowCount ?? 0
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {})
        throw error
      }
    })
}

/** One run of a sync's snapshot, on its held client (see `SnapshotRun`). */
export const makeRun = (ctx: RunContext, size: number, scheme: number | undefined): SnapshotRun => {
  const { sync, tables } = ctx
  const query = queryOf(ctx)
  const cursorPages = cursorPagesOf(ctx)
  const probe = probeOf(ctx)
  return {
    size,
    ...(scheme === undefined ? {} : { messageIdScheme: scheme }),
    lookup: (keys) =>
      probe<{ i: string; fingerprint: string; values: string }>(keys, `looking up ${keys.length} keys of "${sync}"`, 'fingerprint, "values"').pipe(
        Effect.map((rows) => rows.map((row, i) => row && { key: keys[i]!, fingerprint: row.fingerprint, values: row.values }))
      ),
    fingerprints: (keys) =>
      probe<{ i: string; fingerprint: string }>(keys, `looking up ${keys.length} fingerprints of "${sync}"`, "fingerprint").pipe(
        Effect.map((rows) => rows.map((row) => row?.fingerprint))
      ),
    see: seeKeys(ctx),
    stage: stageChanges(ctx),
    commit: commitChanges(ctx),
    adoptSpec: adoptSpecOf(ctx),
    seeUnchangedAtSource: seeUnchangedAtSourceOf(ctx),
    unstage: (keys) =>
      keys.length === 0
        ? Effect.void
        : query(`unstaging ${keys.length} keys of "${sync}"`, "DELETE FROM pg_temp.tablecast_staged WHERE key = ANY($1::text[])", [keys]).pipe(
            Effect.asVoid
          ),
    unseen: cursorPages<{ key: string; fingerprint: string; values: string }, SnapshotEntry>(
      `reading the unseen entries of "${sync}"`,
      `SELECT key, fingerprint, "values" FROM ${tables.snapshot} AS s
        WHERE s.sync = $1 AND NOT EXISTS (SELECT 1 FROM pg_temp.tablecast_seen AS t WHERE t.key = s.key)
          AND NOT EXISTS (SELECT 1 FROM pg_temp.tablecast_unchanged AS u WHERE u.key = s.key)`,
      [sync],
      ["pg_temp.tablecast_seen", "pg_temp.tablecast_unchanged"],
      (row) => ({ key: row.key, fingerprint: row.fingerprint, values: row.values })
    ),
    staged: cursorPages<StagedRow, StagedChange>(
      `reading the staged changes of "${sync}"`,
      `SELECT key, row_number, kind, fingerprint, "values", "user", messages, source_digest FROM pg_temp.tablecast_staged ORDER BY seq`,
      [],
      [],
      (row) => ({
        rowNumber: Number(row.row_number),
        kind: row.kind,
        entry: {
          key: row.key,
          fingerprint: row.fingerprint,
          values: row.values,
          ...(row.source_digest === null ? {} : { sourceDigest: row.source_digest })
        },
        user: row.user,
        messages: JSON.parse(row.messages)
      })
    ),
    stagedUsers: query<{ touched: string; added: string }>(
      `counting the staged users of "${sync}"`,
      `SELECT count(DISTINCT "user") AS touched, count(DISTINCT "user") FILTER (WHERE kind = 'added') AS added
         FROM pg_temp.tablecast_staged`,
      []
    ).pipe(Effect.map((result) => ({ touched: Number(result.rows[0]?.touched ?? 0), added: Number(result.rows[0]?.added ?? 0) }))),
    forgetUnseen: Effect.andThen(
      query(`forgetting the unseen entries of "${sync}"`, "ANALYZE pg_temp.tablecast_seen, pg_temp.tablecast_unchanged", []),
      query(
        `forgetting the unseen entries of "${sync}"`,
        `DELETE FROM ${tables.snapshot} AS s
          WHERE s.sync = $1 AND NOT EXISTS (SELECT 1 FROM pg_temp.tablecast_seen AS t WHERE t.key = s.key)
            AND NOT EXISTS (SELECT 1 FROM pg_temp.tablecast_unchanged AS u WHERE u.key = s.key)`,
        [sync]
      )
    ).pipe(Effect.map((result) => result.rowCount ?? 0))
  }
}

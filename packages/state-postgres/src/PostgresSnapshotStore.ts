import { MESSAGE_ID_SCHEME } from "@tablecast/core"
import { type SnapshotDigestTable, type SnapshotEntry, type SnapshotRun, SnapshotStore, type SnapshotStoreShape, type StagedChange, StateError } from "@tablecast/incremental"
import { quoteIdentifier } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import pg from "pg"
import { describeConnection, secretsOf, toStateError } from "./PostgresStateLocation.ts"

/**
 * The schema this code reads and writes; a database set up by a newer tablecast is refused.
 * 2: the snapshot's `source_digest` (diff in the database) and the `syncs` table of spec hashes;
 * 3: the `message_id_scheme` table (the messageId scheme of each sync's last commit).
 * An older schema is upgraded in place (additive).
 */
export const POSTGRES_SCHEMA_VERSION = 3

/** The snapshot table of a store's schema, quoted: what the Postgres source's digest filter reads. */
export const snapshotTableOf = (schema = "tablecast"): string => `${quoteIdentifier(schema)}.snapshot`

/** Where a sync's digests are in a store's schema: what a Postgres source in the same database leaves unchanged rows out by. */
export const snapshotDigestTable = (schema: string | undefined, sync: string, key: ReadonlyArray<string>): SnapshotDigestTable => ({
  snapshotTable: snapshotTableOf(schema),
  sync,
  key
})

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

export interface PostgresSnapshotStoreOptions {
  /** A pool to borrow one client per run from (the caller owns it and ends it). */
  readonly pool?: pg.Pool
  /** Connection settings when there is no pool: a client of its own per run, ended with it. */
  readonly connection?: pg.ClientConfig
  /** The schema of the store's tables (default "tablecast"), created when missing. */
  readonly schema?: string
  /** Rows per page of `staged` and `unseen` (default 1,000). */
  readonly pageSize?: number
}

/** A client held for one run, and how to give it back. */
interface HeldClient {
  readonly client: pg.ClientBase
  readonly giveBack: (broken: boolean) => Promise<void>
}

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

/**
 * Each sync's snapshot in a PostgreSQL schema, for teams that run tablecast from several machines.
 * A run holds one client: its working sets are TEMP tables of that session, and a session-level
 * advisory lock on the sync keeps any other machine's run of it out until the run ends (or its
 * session dies: the server releases the lock of a crashed machine when its connection goes).
 */
export const postgresSnapshotStore = (options: PostgresSnapshotStoreOptions): SnapshotStoreShape => {
  const schemaName = options.schema ?? "tablecast"
  const schema = quoteIdentifier(schemaName)
  const pageSize = options.pageSize ?? 1_000
  const config = options.pool?.options ?? options.connection
  const location = describeConnection(config, schemaName)
  const secrets = secretsOf(config)
  const attempt = <A>(doing: string, body: () => Promise<A>) =>
    Effect.tryPromise({ try: body, catch: (error) => toStateError(error, location, doing, secrets) })

  const connect = async (): Promise<HeldClient> => {
    if (options.pool !== undefined) {
      const client = await options.pool.connect()
      return { client, giveBack: async (broken) => client.release(broken) }
    }
    const client = new pg.Client(options.connection)
    // A connection lost between queries surfaces on the next query; without a listener it would crash the process.
    client.on("error", () => {})
    try {
      await client.connect()
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    return { client, giveBack: () => client.end().catch(() => {}) }
  }

  const tables = {
    version: `${schema}.schema_version`,
    snapshot: `${schema}.snapshot`,
    syncs: `${schema}.syncs`,
    schemes: `${schema}.message_id_scheme`
  }

  const ensureSchema = async (client: pg.ClientBase): Promise<void> => {
    const existing = await client.query<{ version: number | null }>(
      `SELECT CASE WHEN to_regclass($1) IS NULL OR to_regclass($2) IS NULL THEN NULL
              ELSE (SELECT max(version) FROM ${tables.version}) END AS version`,
      [tables.version, tables.snapshot]
    ).catch(() => ({ rows: [{ version: null }] }))
    const found = existing.rows[0]?.version ?? null
    if (found === POSTGRES_SCHEMA_VERSION) return
    if (found !== null && found > POSTGRES_SCHEMA_VERSION) {
      throw new Error(`the schema has version ${found}, this tablecast knows up to ${POSTGRES_SCHEMA_VERSION}: upgrade tablecast`)
    }
    // Two machines creating the schema at once would collide on the catalog's unique indexes
    // even with IF NOT EXISTS: a transaction-level advisory lock on the schema's name serializes them.
    await client.query("BEGIN")
    try {
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`tablecast schema ${schemaName}`])
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
      await client.query(`CREATE TABLE IF NOT EXISTS ${tables.version} (version integer NOT NULL)`)
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${tables.snapshot} (
          sync text COLLATE "C" NOT NULL,
          key text COLLATE "C" NOT NULL,
          fingerprint text NOT NULL,
          "values" text NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (sync, key)
        )`)
      // Version 2: the digest of the source row an entry was written for, and the hash of the
      // mapping those digests are valid under (see adoptSpec).
      await client.query(`ALTER TABLE ${tables.snapshot} ADD COLUMN IF NOT EXISTS source_digest text`)
      // The digest leads: an index led by `sync` alone would tempt the planner, for a sync it has
      // no statistics of yet, away from the primary key in the per-key lookups (scanning every
      // entry of the sync for each key, while a first run fills it).
      await client.query(
        `CREATE INDEX IF NOT EXISTS snapshot_source_digest_sync ON ${tables.snapshot} (source_digest, sync) WHERE source_digest IS NOT NULL`
      )
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${tables.syncs} (
          sync text COLLATE "C" PRIMARY KEY,
          spec_hash text NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        )`)
      // The messageId scheme (MESSAGE_ID_SCHEME) of each sync's last commit; no row: scheme 1.
      await client.query(`CREATE TABLE IF NOT EXISTS ${tables.schemes} (sync text COLLATE "C" PRIMARY KEY, scheme integer NOT NULL)`)
      const version = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${tables.version}`)
      const current = version.rows[0]?.version ?? null
      if (current !== null && current > POSTGRES_SCHEMA_VERSION) {
        throw new Error(`the schema has version ${current}, this tablecast knows up to ${POSTGRES_SCHEMA_VERSION}: upgrade tablecast`)
      }
      if (current !== POSTGRES_SCHEMA_VERSION) {
        await client.query(`DELETE FROM ${tables.version}`)
        await client.query(`INSERT INTO ${tables.version} (version) VALUES ($1)`, [POSTGRES_SCHEMA_VERSION])
      }
      await client.query("COMMIT")
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {})
      throw error
    }
  }

  /** The advisory lock's name: the schema is part of it, so two stores in one database stay apart. */
  const lockName = (sync: string) => `tablecast snapshot ${schemaName} ${sync}`

  // The run's working sets, in this session only; dropped first in case a pooled connection
  // kept them from a run whose cleanup failed.
  const createWorkingSets = async (client: pg.ClientBase): Promise<void> => {
    await client.query("DROP TABLE IF EXISTS pg_temp.tablecast_seen, pg_temp.tablecast_staged, pg_temp.tablecast_unchanged")
    await client.query(`CREATE TEMP TABLE tablecast_seen (key text COLLATE "C" PRIMARY KEY, row_number bigint NOT NULL)`)
    // Keys of entries unchanged in the database (seeUnchangedAtSource): seen too, but kept apart and
    // without an index, since a run may put every key of the snapshot here at once.
    await client.query(`CREATE TEMP TABLE tablecast_unchanged (key text COLLATE "C" NOT NULL)`)
    await client.query(`
      CREATE TEMP TABLE tablecast_staged (
        seq bigserial PRIMARY KEY,
        key text COLLATE "C" NOT NULL,
        side text NOT NULL,
        row_number bigint NOT NULL,
        kind text NOT NULL,
        fingerprint text NOT NULL,
        "values" text NOT NULL,
        "user" text NOT NULL,
        messages text NOT NULL,
        source_digest text,
        UNIQUE (key, side)
      )`)
  }

  const release = async (held: HeldClient, sync: string): Promise<void> => {
    try {
      await held.client.query("CLOSE ALL")
      await held.client.query("DROP TABLE IF EXISTS pg_temp.tablecast_seen, pg_temp.tablecast_staged, pg_temp.tablecast_unchanged")
      await held.client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lockName(sync)])
      await held.giveBack(false)
    } catch {
      // A pooled connection whose cleanup failed is destroyed: that drops its temp tables and lock.
      await held.giveBack(true)
    }
  }

  const makeRun = (client: pg.ClientBase, sync: string, size: number, scheme: number | undefined): SnapshotRun => {
    let cursors = 0
    const query = <R extends pg.QueryResultRow>(doing: string, text: string, values: ReadonlyArray<unknown>) =>
      attempt(doing, () => client.query<R>(text, [...values]))

    /**
     * A stream over a query's rows, `pageSize` rows per round trip. The query runs once, as a
     * WITH HOLD cursor (its result kept by the server, on disk when large): other statements of the
     * run (stage, commit) can go on between pages, and no page re-scans what earlier pages passed
     * (keyset pages can, when the planner lacks statistics on a freshly filled table).
     */
    const cursorPages = <Row extends pg.QueryResultRow, A>(
      doing: string,
      text: string,
      values: ReadonlyArray<unknown>,
      analyze: ReadonlyArray<string>,
      toItem: (row: Row) => A
    ): Stream.Stream<A, StateError> =>
      Stream.unwrap(
        Effect.acquireRelease(
          attempt(doing, async () => {
            const name = `tablecast_cursor_${++cursors}`
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
          (name) => Effect.promise(() => client.query(`CLOSE ${name}`).then(() => {}, () => {}))
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

    /** The snapshot rows of `keys` (their `columns`), in the keys' order: undefined where a key has none. */
    const probe = <Row extends { i: string }>(
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
      see: (rows) => {
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
      },
      stage: (changes) => {
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
      },
      unstage: (keys) =>
        keys.length === 0
          ? Effect.void
          : query(`unstaging ${keys.length} keys of "${sync}"`, "DELETE FROM pg_temp.tablecast_staged WHERE key = ANY($1::text[])", [
              keys
            ]).pipe(Effect.asVoid),
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
      commit: (delivered) => {
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
      },
      forgetUnseen: Effect.andThen(
        query(`forgetting the unseen entries of "${sync}"`, "ANALYZE pg_temp.tablecast_seen, pg_temp.tablecast_unchanged", []),
        query(
          `forgetting the unseen entries of "${sync}"`,
          `DELETE FROM ${tables.snapshot} AS s
            WHERE s.sync = $1 AND NOT EXISTS (SELECT 1 FROM pg_temp.tablecast_seen AS t WHERE t.key = s.key)
              AND NOT EXISTS (SELECT 1 FROM pg_temp.tablecast_unchanged AS u WHERE u.key = s.key)`,
          [sync]
        )
      ).pipe(Effect.map((result) => result.rowCount ?? 0)),
      adoptSpec: (specHash) =>
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
        }),
      seeUnchangedAtSource: (source) =>
        attempt(`finding the rows of "${sync}" unchanged in the database`, async () => {
          // The same rows the source's filtered read leaves out: a key that appears once, whose
          // row's digest is an entry's. (A row written between this statement and the read can
          // come through too: it is then classified as usual, and also counted here.)
          // `source.relation` holds the source's query: read-only, as the source's own session is (only
          // the temp table may be written), and one statement (sent with parameters, so through
          // the extended protocol, which refuses a second one).
          await client.query("BEGIN TRANSACTION READ ONLY")
          try {
            for (const setting of DIGEST_SETTINGS) await client.query(setting)
            const result = await client.query(
              `INSERT INTO pg_temp.tablecast_unchanged (key)
               SELECT s.key FROM ${tables.snapshot} AS s
                 JOIN (${source.relation}) AS d ON d."__tablecast_digest" = s.source_digest
                WHERE s.sync = $1 AND d."__tablecast_copies" = 1`,
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
  }

  return {
    location,
    open: (sync) =>
      Effect.acquireRelease(
        attempt(`opening the snapshot of "${sync}"`, async () => {
          const held = await connect()
          let locked = false
          try {
            await ensureSchema(held.client)
            const lock = await held.client.query<{ locked: boolean }>(
              "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked",
              [lockName(sync)]
            )
            if (lock.rows[0]?.locked !== true) {
              throw new StateError({ message: `Postgres state store ${location}: another run holds the snapshot of "${sync}"` })
            }
            locked = true
            await createWorkingSets(held.client)
            const count = await held.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${tables.snapshot} WHERE sync = $1`, [sync])
            const scheme = await held.client.query<{ scheme: number }>(`SELECT scheme FROM ${tables.schemes} WHERE sync = $1`, [sync])
            return { held, run: makeRun(held.client, sync, Number(count.rows[0]?.n ?? 0), scheme.rows[0]?.scheme) }
          } catch (error) {
            if (locked) await release(held, sync)
            // Destroyed, not returned: a pooled client must not carry a half-done session back.
            else await held.giveBack(true)
            throw error
          }
        }),
        ({ held }) => Effect.promise(() => release(held, sync))
      ).pipe(Effect.map(({ run }) => run))
  }
}

/** The Postgres store as the engine's `SnapshotStore`. */
export const layer = (options: PostgresSnapshotStoreOptions): Layer.Layer<never> =>
  Layer.succeed(SnapshotStore, postgresSnapshotStore(options))

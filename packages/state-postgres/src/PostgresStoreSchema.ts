import { quoteIdentifier } from "@tablecast/source-sql"
import type pg from "pg"

/**
 * The schema this code reads and writes; a database set up by a newer tablecast is refused.
 * 2: the snapshot's `source_digest` (diff in the database) and the `syncs` table of spec hashes;
 * 3: the `message_id_scheme` table (the messageId scheme of each sync's last commit).
 * An older schema is upgraded in place (additive).
 */
export const POSTGRES_SCHEMA_VERSION = 3

/** A store's schema and its tables, quoted for the store's SQL. */
export interface StoreTables {
  /** The schema's name as given. */
  readonly schemaName: string
  readonly schema: string
  readonly version: string
  readonly snapshot: string
  readonly syncs: string
  readonly schemes: string
}

/** The tables of the store in `schemaName`. */
export const storeTables = (schemaName: string): StoreTables => {
  const schema = quoteIdentifier(schemaName)
  return {
    schemaName,
    schema,
    version: `${schema}.schema_version`,
    snapshot: `${schema}.snapshot`,
    syncs: `${schema}.syncs`,
    schemes: `${schema}.message_id_scheme`
  }
}

/** Creates the store's schema and tables when missing, or upgrades an older schema in place. */
export const ensureSchema = async (client: pg.ClientBase, tables: StoreTables): Promise<void> => {
  const { schemaName, schema } = tables
  const existing = await client
    .query<{ version: number | null }>(
      `SELECT CASE WHEN to_regclass($1) IS NULL OR to_regclass($2) IS NULL THEN NULL
            ELSE (SELECT max(version) FROM ${tables.version}) END AS version`,
      [tables.version, tables.snapshot]
    )
    .catch(() => ({ rows: [{ version: null }] }))
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

/** Drops the run's working sets (a run's cleanup, and before creating them afresh). */
export const DROP_WORKING_SETS = "DROP TABLE IF EXISTS pg_temp.tablecast_seen, pg_temp.tablecast_staged, pg_temp.tablecast_unchanged"

// The run's working sets, in this session only; dropped first in case a pooled connection
// kept them from a run whose cleanup failed.
export const createWorkingSets = async (client: pg.ClientBase): Promise<void> => {
  await client.query(DROP_WORKING_SETS)
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

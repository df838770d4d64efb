import { type SnapshotDigestTable, SnapshotStore, type SnapshotStoreShape, StateError } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import pg from "pg"
import { makeRun, type RunContext } from "./PostgresSnapshotRun.ts"
import { DROP_WORKING_SETS, createWorkingSets, ensureSchema, POSTGRES_SCHEMA_VERSION, storeTables } from "./PostgresStoreSchema.ts"
import { describeConnection, secretsOf, toStateError } from "./PostgresStateLocation.ts"
import { storeDatabase } from "./PostgresStoreDatabase.ts"

export { POSTGRES_SCHEMA_VERSION }

/**
 * Where a sync's digests are in a store's schema (default "tablecast"): what a Postgres source in
 * the same database leaves unchanged rows out by. Names unquoted: the source quotes them.
 */
export const snapshotDigestTable = (schema: string | undefined, sync: string, key: ReadonlyArray<string>): SnapshotDigestTable => ({
  schema: schema ?? "tablecast",
  table: "snapshot",
  syncColumn: "sync",
  digestColumn: "source_digest",
  sync,
  key
})

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

/** A client for one run: borrowed from the pool, or a connection of its own. */
const connect = async (options: PostgresSnapshotStoreOptions): Promise<HeldClient> => {
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

/** The advisory lock's name: the schema is part of it, so two stores in one database stay apart. */
const lockName = (schemaName: string, sync: string) => `tablecast snapshot ${schemaName} ${sync}`

const release = async (held: HeldClient, schemaName: string, sync: string): Promise<void> => {
  try {
    await held.client.query("CLOSE ALL")
    await held.client.query(DROP_WORKING_SETS)
    await held.client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [lockName(schemaName, sync)])
    await held.giveBack(false)
  } catch {
    // A pooled connection whose cleanup failed is destroyed: that drops its temp tables and lock.
    await held.giveBack(true)
  }
}

/**
 * Each sync's snapshot in a PostgreSQL schema, for teams that run tablecast from several machines.
 * A run holds one client: its working sets are TEMP tables of that session, and a session-level
 * advisory lock on the sync keeps any other machine's run of it out until the run ends (or its
 * session dies: the server releases the lock of a crashed machine when its connection goes).
 */
export const postgresSnapshotStore = (options: PostgresSnapshotStoreOptions): SnapshotStoreShape => {
  const schemaName = options.schema ?? "tablecast"
  const tables = storeTables(schemaName)
  const pageSize = options.pageSize ?? 1_000
  const config = options.pool?.options ?? options.connection
  const location = describeConnection(config, schemaName)
  const secrets = secretsOf(config)
  const attempt = <A>(doing: string, body: () => Promise<A>) =>
    Effect.tryPromise({ try: body, catch: (error) => toStateError(error, location, doing, secrets) })
  const runOn = (client: pg.ClientBase, sync: string, size: number, scheme: number | undefined) => {
    let cursors = 0
    const ctx: RunContext = { client, sync, tables, pageSize, attempt, nextCursor: () => ++cursors }
    return makeRun(ctx, size, scheme)
  }

  return {
    location,
    inDatabase: { database: storeDatabase(config), digestTable: (sync, key) => snapshotDigestTable(schemaName, sync, key) },
    open: (sync) =>
      Effect.acquireRelease(
        attempt(`opening the snapshot of "${sync}"`, async () => {
          const held = await connect(options)
          let locked = false
          try {
            await ensureSchema(held.client, tables)
            const lock = await held.client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked", [
              lockName(schemaName, sync)
            ])
            if (lock.rows[0]?.locked !== true) {
              throw new StateError({ message: `Postgres state store ${location}: another run holds the snapshot of "${sync}"` })
            }
            locked = true
            await createWorkingSets(held.client)
            const count = await held.client.query<{ n: string }>(`SELECT count(*) AS n FROM ${tables.snapshot} WHERE sync = $1`, [sync])
            const scheme = await held.client.query<{ scheme: number }>(`SELECT scheme FROM ${tables.schemes} WHERE sync = $1`, [sync])
            return { held, run: runOn(held.client, sync, Number(count.rows[0]?.n ?? 0), scheme.rows[0]?.scheme) }
          } catch (error) {
            if (locked) await release(held, schemaName, sync)
            // Destroyed, not returned: a pooled client must not carry a half-done session back.
            else await held.giveBack(true)
            throw error
          }
        }),
        ({ held }) => Effect.promise(() => release(held, schemaName, sync))
      ).pipe(Effect.map(({ run }) => run))
  }
}

/** The Postgres store as the engine's `SnapshotStore`. */
export const layer = (options: PostgresSnapshotStoreOptions): Layer.Layer<never> => Layer.succeed(SnapshotStore, postgresSnapshotStore(options))

import { isRunRecord, type RunFilter, type RunHistory, type RunRecord, type RunRetention } from "@tablecast/core"
import { quoteIdentifier } from "@tablecast/source-sql"
import pg from "pg"
import { describeConnection, secretsOf, toStateError } from "./PostgresStateLocation.ts"

export interface PostgresRunHistoryOptions {
  /** A pool to borrow a client from (the caller owns it and ends it). */
  readonly pool?: pg.Pool
  /** Connection settings when there is no pool: a client of its own per call, ended with it. */
  readonly connection?: pg.ClientConfig
  /** The store's schema (default "tablecast"), where the snapshot is. */
  readonly schema?: string
  readonly retention?: RunRetention
  /** The clock retention measures age against. */
  readonly now?: () => Date
}

const recordOf = (value: unknown): RunRecord | undefined => (isRunRecord(value) ? value : undefined)

/** The WHERE clause and values of a filter (from `$1`), with its ORDER BY and LIMIT. */
const whereOf = (filter: RunFilter = {}): { readonly sql: string; readonly values: Array<unknown> } => {
  const clauses: Array<string> = []
  const values: Array<unknown> = []
  const where = (clause: (n: string) => string, value: unknown) => {
    values.push(value)
    clauses.push(clause(`$${values.length}`))
  }
  if (filter.sync !== undefined) where((n) => `sync = ${n}`, filter.sync)
  if (filter.outcome !== undefined) where((n) => `outcome = ${n}`, filter.outcome)
  if (filter.since !== undefined) where((n) => `started_at >= ${n}`, filter.since)
  if (filter.until !== undefined) where((n) => `started_at < ${n}`, filter.until)
  const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`
  return { sql: `${clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`} ORDER BY started_at DESC, id DESC${limit}`, values }
}

/**
 * The run history in an incremental sync's Postgres state store: a `run_history` table in the
 * store's schema, one row per run (the record as jsonb, with its sync, outcome and start beside it
 * to filter on), shared by every machine that runs the syncs. Retention is applied in the
 * transaction that adds a run. The table is added without a new schema version: an older
 * tablecast leaves a table it does not know alone.
 */
export const postgresRunHistory = (options: PostgresRunHistoryOptions): RunHistory & { readonly location: string } => {
  const schemaName = options.schema ?? "tablecast"
  const schema = quoteIdentifier(schemaName)
  const table = `${schema}.run_history`
  const retention = options.retention ?? {}
  const now = options.now ?? (() => new Date())
  const config = options.pool?.options ?? options.connection
  const location = describeConnection(config, schemaName)
  const secrets = secretsOf(config)

  const withClient = async <A>(doing: string, body: (client: pg.ClientBase) => Promise<A>): Promise<A> => {
    try {
      if (options.pool !== undefined) {
        const client = await options.pool.connect()
        try {
          return await body(client)
        } finally {
          client.release()
        }
      }
      const client = new pg.Client(options.connection)
      client.on("error", () => {})
      try {
        await client.connect()
        return await body(client)
      } finally {
        await client.end().catch(() => {})
      }
    } catch (error) {
      // The driver's words, scrubbed of the password, under the store's name: never a secret in a message.
      throw toStateError(error, location, doing, secrets)
    }
  }
  /** No table yet (no run recorded here): nothing to list. */
  const tableExists = async (client: pg.ClientBase): Promise<boolean> =>
    (await client.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [table])).rows[0]?.found != null

  return {
    location,
    append: (record) =>
      withClient("recording a run", async (client) => {
        await client.query("BEGIN")
        try {
          // As the snapshot's schema is made: a transaction-level lock on the schema's name keeps two machines from colliding.
          await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`tablecast schema ${schemaName}`])
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
          await client.query(`
            CREATE TABLE IF NOT EXISTS ${table} (
              id text COLLATE "C" PRIMARY KEY,
              sync text COLLATE "C" NOT NULL,
              outcome text NOT NULL,
              started_at timestamptz NOT NULL,
              record jsonb NOT NULL
            )`)
          await client.query(`CREATE INDEX IF NOT EXISTS run_history_started ON ${table} (started_at, id)`)
          await client.query(
            `INSERT INTO ${table} (id, sync, outcome, started_at, record) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET sync = EXCLUDED.sync, outcome = EXCLUDED.outcome, started_at = EXCLUDED.started_at, record = EXCLUDED.record`,
            [record.id, record.sync, record.outcome, new Date(record.startedAt), JSON.stringify(record)]
          )
          if (retention.maxAgeDays !== undefined) {
            await client.query(`DELETE FROM ${table} WHERE started_at < $1`, [new Date(now().getTime() - retention.maxAgeDays * 86_400_000)])
          }
          if (retention.maxRuns !== undefined) {
            await client.query(`DELETE FROM ${table} WHERE id NOT IN (SELECT id FROM ${table} ORDER BY started_at DESC, id DESC LIMIT $1)`, [
              retention.maxRuns
            ])
          }
          await client.query("COMMIT")
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {})
          throw error
        }
      }),
    list: (filter) =>
      withClient("listing runs", async (client) => {
        if (!(await tableExists(client))) return []
        const { sql, values } = whereOf(filter)
        const result = await client.query<{ record: unknown }>(`SELECT record FROM ${table}${sql}`, values)
        return result.rows.flatMap((row) => recordOf(row.record) ?? [])
      }),
    get: (id) =>
      withClient("reading a run", async (client) => {
        if (!(await tableExists(client))) return undefined
        const result = await client.query<{ record: unknown }>(`SELECT record FROM ${table} WHERE id = $1`, [id])
        return recordOf(result.rows[0]?.record)
      })
  }
}

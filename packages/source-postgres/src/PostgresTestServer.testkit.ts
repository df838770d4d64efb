import pg from "pg"

/**
 * The test PostgreSQL server, found through the PG* variables that scripts/postgres/start.sh
 * prints. Unreachable in CI (CI=true) is an error that says how to start it; on a developer's
 * machine the suites that need it are skipped with that same message.
 */
export interface TestServer {
  /** The PG* variables to hand to the source as its environment. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Path of the test CA's certificate, when start.sh made one (TLS tests need it). */
  readonly caFile: string | undefined
  /** Runs SQL as the test role, for fixtures. */
  readonly admin: <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: ReadonlyArray<unknown>) => Promise<pg.QueryResult<R>>
  readonly close: () => Promise<void>
}

const HOW_TO_START = 'start it with: eval "$(bash scripts/postgres/start.sh)" (from the repository root, as root)'

export const findTestServer = async (): Promise<TestServer | undefined> => {
  const env = {
    PGHOST: process.env.PGHOST,
    PGPORT: process.env.PGPORT,
    PGUSER: process.env.PGUSER,
    PGPASSWORD: process.env.PGPASSWORD,
    PGDATABASE: process.env.PGDATABASE
  }
  const where = `${env.PGHOST ?? "localhost"}:${env.PGPORT ?? "5432"}`
  const problem = (reason: string): undefined => {
    const message = `The test PostgreSQL server is not reachable at ${where} (${reason}); ${HOW_TO_START}`
    if (process.env.CI === "true" || process.env.CI === "1") throw new Error(message)
    console.warn(`SKIPPING Postgres tests. ${message}`)
    return undefined
  }
  if (env.PGHOST === undefined || env.PGUSER === undefined || env.PGDATABASE === undefined) {
    return problem("PGHOST, PGUSER and PGDATABASE are not all set")
  }
  const client = new pg.Client({ ssl: false, connectionTimeoutMillis: 5000 })
  client.on("error", () => {})
  try {
    await client.connect()
  } catch (error) {
    return problem(error instanceof Error ? error.message : String(error))
  }
  return {
    env,
    caFile: process.env.TABLECAST_PG_CA,
    admin: (sql, values) => client.query(sql, values === undefined ? undefined : [...values]),
    close: () => client.end()
  }
}

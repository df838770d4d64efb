import pg from "pg"

/**
 * The test PostgreSQL server, found through the PG* variables that scripts/postgres/start.sh
 * prints. Unreachable in CI is an error; on a developer's machine the suites are skipped with a
 * message saying how to start it.
 */
export interface TestServer {
  readonly admin: <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: ReadonlyArray<unknown>) => Promise<pg.QueryResult<R>>
  readonly close: () => Promise<void>
}

export const findTestServer = async (): Promise<TestServer | undefined> => {
  const problem = (reason: string): undefined => {
    const message = `The test PostgreSQL server is not reachable (${reason}); start it with: eval "$(bash scripts/postgres/start.sh)"`
    if (process.env.CI === "true" || process.env.CI === "1") throw new Error(message)
    console.warn(`SKIPPING Postgres state store tests. ${message}`)
    return undefined
  }
  if (process.env.PGHOST === undefined || process.env.PGUSER === undefined || process.env.PGDATABASE === undefined) {
    return problem("PGHOST, PGUSER and PGDATABASE are not all set")
  }
  const client = new pg.Client({ connectionTimeoutMillis: 5000 })
  client.on("error", () => {})
  try {
    await client.connect()
  } catch (error) {
    return problem(error instanceof Error ? error.message : String(error))
  }
  return {
    admin: (sql, values) => client.query(sql, values === undefined ? undefined : [...values]),
    close: () => client.end()
  }
}

import pg from "pg"

/**
 * The test PostgreSQL server of scripts/postgres/start.sh, through its PG* variables. In CI an
 * unreachable server is an error (the suite must not pass by skipping); elsewhere the suites
 * that need it are skipped with the same message.
 */
export const connectTestDatabase = async (): Promise<pg.Client | undefined> => {
  const problem = (reason: string): undefined => {
    const message = `the test PostgreSQL server is not reachable (${reason}); start it with: eval "$(bash scripts/postgres/start.sh)"`
    if (process.env.CI === "true" || process.env.CI === "1") throw new Error(message)
    console.warn(`SKIPPING warehouse tests: ${message}`)
    return undefined
  }
  if (process.env.PGHOST === undefined || process.env.PGUSER === undefined || process.env.PGDATABASE === undefined) {
    return problem("PGHOST, PGUSER and PGDATABASE are not all set")
  }
  const client = new pg.Client({ ssl: false, connectionTimeoutMillis: 5000 })
  client.on("error", () => {})
  try {
    await client.connect()
    return client
  } catch (error) {
    return problem(error instanceof Error ? error.message : String(error))
  }
}

/** The PG* variables, to hand to the CLI's environment. */
export const pgEnv = (): Record<string, string> =>
  Object.fromEntries(
    ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"].flatMap((name) =>
      process.env[name] === undefined ? [] : [[name, process.env[name]!]]
    )
  )

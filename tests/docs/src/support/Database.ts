import pg from "pg"

/**
 * A database of its own for one recipe test, created afresh on the test PostgreSQL server of
 * scripts/postgres/start.sh (its PG* variables; `pnpm test` starts it). No server is a failure,
 * not a skip: a recipe whose commands did not run is not checked.
 */
export interface RecipeDatabase {
  readonly client: pg.Client
  /** PG* variables pointing at this database, for the recipe's commands. */
  readonly env: Record<string, string>
  readonly close: () => Promise<void>
}

const connect = async (database?: string): Promise<pg.Client> => {
  const client = new pg.Client({ ssl: false, connectionTimeoutMillis: 5_000, ...(database === undefined ? {} : { database }) })
  client.on("error", () => {})
  await client.connect()
  return client
}

export const createRecipeDatabase = async (name: string): Promise<RecipeDatabase> => {
  if (process.env.PGHOST === undefined || process.env.PGUSER === undefined || process.env.PGDATABASE === undefined) {
    throw new Error(
      'the recipe tests need the test PostgreSQL server: eval "$(bash scripts/postgres/start.sh)" first (PGHOST, PGUSER, PGDATABASE)'
    )
  }
  const admin = await connect()
  try {
    await admin.query(`drop database if exists "${name}" with (force)`)
    await admin.query(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  const client = await connect(name)
  const env: Record<string, string> = { PGDATABASE: name }
  for (const variable of ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD"]) {
    const value = process.env[variable]
    if (value !== undefined) env[variable] = value
  }
  return { client, env, close: () => client.end() }
}

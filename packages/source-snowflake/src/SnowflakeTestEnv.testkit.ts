import { generateKeyPairSync } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type SnowflakeTestServer, startSnowflakeTestServer } from "@tablecast/snowflake-test-server"
import pg from "pg"

/**
 * The Snowflake protocol test server (in a child process) over the test PostgreSQL server that
 * scripts/postgres/start.sh starts and describes in PG* variables. Unreachable in CI (CI=true)
 * is an error saying how to start it; elsewhere the suites are skipped with that message.
 */
export interface SnowflakeTestEnv {
  readonly server: SnowflakeTestServer
  readonly account: string
  readonly user: string
  readonly password: string
  /** PEM file of the private key registered for the user (key-pair auth). */
  readonly privateKeyPath: string
  /** PEM file of another private key, not registered. */
  readonly strangerKeyPath: string
  /** Runs SQL on the PostgreSQL database behind the server, for fixtures. */
  readonly admin: <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: ReadonlyArray<unknown>) => Promise<pg.QueryResult<R>>
  readonly close: () => Promise<void>
}

const HOW_TO_START = 'start it with: eval "$(bash scripts/postgres/start.sh)" (from the repository root, as root)'

export const startTestEnv = async (
  serverOptions: { chunkRows?: number; syncWaitMs?: number; pollWaitMs?: number } = {}
): Promise<SnowflakeTestEnv | undefined> => {
  const where = `${process.env.PGHOST ?? "localhost"}:${process.env.PGPORT ?? "5432"}`
  const problem = (reason: string): undefined => {
    const message = `The test PostgreSQL server (behind the Snowflake test server) is not reachable at ${where} (${reason}); ${HOW_TO_START}`
    if (process.env.CI === "true" || process.env.CI === "1") throw new Error(message)
    console.warn(`SKIPPING Snowflake tests. ${message}`)
    return undefined
  }
  if (process.env.PGHOST === undefined || process.env.PGUSER === undefined || process.env.PGDATABASE === undefined) {
    return problem("PGHOST, PGUSER and PGDATABASE are not all set")
  }
  const client = new pg.Client({ ssl: false, connectionTimeoutMillis: 5000 })
  client.on("error", () => {})
  try {
    await client.connect()
  } catch (error) {
    return problem(error instanceof Error ? error.message : String(error))
  }

  const dir = mkdtempSync(join(tmpdir(), "tablecast-sf-"))
  const makeKey = (name: string) => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
    const path = join(dir, `${name}.p8`)
    writeFileSync(path, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 })
    return { path, publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString() }
  }
  const registered = makeKey("rsa_key")
  const stranger = makeKey("stranger_key")
  const account = "TABLECAST-TEST"
  const user = "SYNC_USER"
  const password = "sf-test-password-7c41"
  const server = await startSnowflakeTestServer({
    account,
    users: [{ name: user, password, publicKeyPem: registered.publicKeyPem }],
    postgres: {
      host: process.env.PGHOST,
      port: Number(process.env.PGPORT ?? 5432),
      user: process.env.PGUSER,
      ...(process.env.PGPASSWORD === undefined ? {} : { password: process.env.PGPASSWORD }),
      database: process.env.PGDATABASE
    },
    chunkRows: serverOptions.chunkRows ?? 1000,
    syncWaitMs: serverOptions.syncWaitMs ?? 300,
    pollWaitMs: serverOptions.pollWaitMs ?? 100
  })
  return {
    server,
    account,
    user,
    password,
    privateKeyPath: registered.path,
    strangerKeyPath: stranger.path,
    admin: (sql, values) => client.query(sql, values === undefined ? undefined : [...values]),
    close: async () => {
      await server.stop()
      await client.end()
    }
  }
}

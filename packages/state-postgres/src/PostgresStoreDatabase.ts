import type { DatabaseIdentity } from "@tablecast/incremental"
import type pg from "pg"
import { parse as parseConnectionString } from "pg-connection-string"

const SSL_MODES: ReadonlyArray<string> = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

const nonEmpty = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined)

/**
 * Where the store's connection goes (user, host, port, database), resolved by the rules the
 * Postgres source resolves its own by: a setting, else the URL's, else the PG* variable, else the
 * default. Compared with the source's for a diff in the database; undefined when the settings do
 * not resolve (a URL that does not parse, a port out of range, an unknown sslmode).
 */
export const storeDatabase = (
  config: pg.ClientConfig | pg.PoolConfig | undefined,
  env: NodeJS.ProcessEnv = process.env
): DatabaseIdentity | undefined => {
  try {
    const url = config?.connectionString === undefined ? undefined : parseConnectionString(config.connectionString, { useLibpqCompat: true })
    const fromUrl = (key: string) => nonEmpty((url as Record<string, unknown> | undefined)?.[key])
    const host = nonEmpty(config?.host) ?? fromUrl("host") ?? nonEmpty(env.PGHOST) ?? "localhost"
    const portText = (config?.port === undefined ? undefined : String(config.port)) ?? fromUrl("port") ?? nonEmpty(env.PGPORT) ?? "5432"
    const port = Number(portText)
    if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined
    const user = nonEmpty(config?.user) ?? fromUrl("user") ?? nonEmpty(env.PGUSER) ?? nonEmpty(env.USER) ?? "postgres"
    const database = nonEmpty(config?.database) ?? fromUrl("database") ?? nonEmpty(env.PGDATABASE) ?? user
    // An sslmode libpq does not know leaves the settings unresolved, as it does the source's.
    if (!SSL_MODES.includes(fromUrl("sslmode") ?? nonEmpty(env.PGSSLMODE) ?? "prefer")) return undefined
    return { user, host, port, database }
  } catch {
    return undefined
  }
}

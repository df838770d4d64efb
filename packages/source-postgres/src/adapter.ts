import path from "node:path"
import type { SourceInDatabaseOf } from "@tablecast/incremental"
import { type ConfigEntry, EnvName, fromEnv, type SourceAdapter, type SourceEnv, urlHoldsPassword } from "@tablecast/core"
import * as z from "zod"
import { describeSource, listTables } from "./PostgresInspector.ts"
import { connectionIdentity, databaseIdentity, digestsLayer, layer } from "./PostgresSource.ts"
import { PostgresSourceOptions } from "./PostgresSourceOptions.ts"

// The digest filter is the CLI's own doing (diff in the database), never a config file's.
const { password: _password, digestFilter: _digestFilter, ...shape } = PostgresSourceOptions.shape

/**
 * A Postgres table or query. Connection details come from `url` (the `--postgres` flag), the
 * variable named by `urlEnv`, fields, or the PG* variables; the password from `passwordEnv` or
 * PGPASSWORD — never from the config file itself.
 */
export const PostgresSourceConfig = z
  .object({
    type: z.literal("postgres"),
    ...shape,
    url: z.string().min(1).optional(),
    urlEnv: EnvName.optional(),
    passwordEnv: EnvName.optional()
  })
  .strict()
export type PostgresSourceConfig = z.output<typeof PostgresSourceConfig>

const options = ({ type: _type, urlEnv, passwordEnv, ...config }: PostgresSourceConfig, baseDir: string, env: SourceEnv) => {
  const url = config.url ?? fromEnv(env, urlEnv, "source.urlEnv")
  const password = fromEnv(env, passwordEnv, "source.passwordEnv")
  return {
    ...config,
    ...(url === undefined ? {} : { url }),
    ...(password === undefined ? {} : { password }),
    ...(config.query?.endsWith(".sql") ? { query: path.resolve(baseDir, config.query) } : {}),
    ...(config.sslRootCert === undefined ? {} : { sslRootCert: path.resolve(baseDir, config.sslRootCert) })
  }
}

const connectionOf = (config: PostgresSourceConfig, baseDir: string, env: SourceEnv) => {
  const {
    table: _table,
    query: _query,
    pageSize: _page,
    bigNumbers: _big,
    binary: _binary,
    readOnly: _readOnly,
    ...connection
  } = options(config, baseDir, env)
  return connection
}

/** A URL holding a password never goes into a config file: the entry names the variable to set instead. */
const configEntry = (config: PostgresSourceConfig): ConfigEntry<PostgresSourceConfig> => {
  if (config.url === undefined || !urlHoldsPassword(config.url)) return { entry: config }
  const { url: _url, ...rest } = config
  return { entry: { ...rest, urlEnv: "DATABASE_URL" }, urlMovedTo: "DATABASE_URL" }
}

/** The Postgres source as the apps plug it in (`source: { type: "postgres", table | query, ... }`). */
export const postgresSource: SourceAdapter<PostgresSourceConfig> = {
  type: "postgres",
  schema: PostgresSourceConfig,
  layer: (config, baseDir, env) => layer(options(config, baseDir, env), env),
  describe: (config, baseDir, env, { samples }) => describeSource(options(config, baseDir, env), { samples }, env),
  listTables: (config, env) => listTables(connectionOf(config, ".", env), env),
  readsFrom: (config) => config.table ?? (config.query === undefined ? undefined : "query"),
  configEntry,
  passwordVariable: "PGPASSWORD"
}

/**
 * The Postgres source's side of a diff in the database: where it connects, and the source reading
 * against the snapshot of a store in its database (rows unchanged since last acknowledged stay there).
 */
export const postgresInDatabase: SourceInDatabaseOf<PostgresSourceConfig> = (config, baseDir, env) => ({
  database: databaseIdentity(connectionOf(config, baseDir, env), env),
  layer: (snapshot) => digestsLayer({ ...options(config, baseDir, env), digestFilter: { ...snapshot, key: [...snapshot.key] } }, env)
})

/** Where the source connects (user, host, port, database), to compare with the state store's. */
export const postgresConnectionIdentity = (config: PostgresSourceConfig, baseDir: string, env: SourceEnv): string | undefined =>
  connectionIdentity(connectionOf(config, baseDir, env), env)

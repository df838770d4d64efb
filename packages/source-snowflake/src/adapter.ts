import path from "node:path"
import { type ConfigEntry, EnvName, fromEnv, type SourceAdapter, type SourceEnv, urlHoldsPassword } from "@tablecast/core"
import * as z from "zod"
import { describeSource, listTables } from "./SnowflakeInspector.ts"
import { layer } from "./SnowflakeSource.ts"
import { SnowflakeSourceOptions } from "./SnowflakeSourceOptions.ts"

const { password: _password, privateKeyPassphrase: _passphrase, ...shape } = SnowflakeSourceOptions.shape

/**
 * A Snowflake table or query. Account, user, warehouse, database, schema and role come from the
 * fields or the SNOWFLAKE_* variables; the password (or the key's passphrase) from the variable
 * named by `passwordEnv` (`privateKeyPassphraseEnv`) or SNOWFLAKE_PASSWORD — never from the file.
 */
export const SnowflakeSourceConfig = z
  .object({
    type: z.literal("snowflake"),
    ...shape,
    url: z.string().min(1).optional(),
    urlEnv: EnvName.optional(),
    passwordEnv: EnvName.optional(),
    privateKeyPassphraseEnv: EnvName.optional()
  })
  .strict()
export type SnowflakeSourceConfig = z.output<typeof SnowflakeSourceConfig>

const options = (
  { type: _type, urlEnv, passwordEnv, privateKeyPassphraseEnv, ...config }: SnowflakeSourceConfig,
  baseDir: string,
  env: SourceEnv
) => {
  const url = config.url ?? fromEnv(env, urlEnv, "source.urlEnv")
  const password = fromEnv(env, passwordEnv, "source.passwordEnv")
  const privateKeyPassphrase = fromEnv(env, privateKeyPassphraseEnv, "source.privateKeyPassphraseEnv")
  return {
    ...config,
    ...(url === undefined ? {} : { url }),
    ...(password === undefined ? {} : { password }),
    ...(privateKeyPassphrase === undefined ? {} : { privateKeyPassphrase }),
    ...(config.query?.endsWith(".sql") ? { query: path.resolve(baseDir, config.query) } : {}),
    ...(config.privateKeyPath === undefined ? {} : { privateKeyPath: path.resolve(baseDir, config.privateKeyPath) })
  }
}

/** A URL holding a password never goes into a config file: the entry names the variable to set instead. */
const configEntry = (config: SnowflakeSourceConfig): ConfigEntry<SnowflakeSourceConfig> => {
  if (config.url === undefined || !urlHoldsPassword(config.url)) return { entry: config }
  const { url: _url, ...rest } = config
  return { entry: { ...rest, urlEnv: "SNOWFLAKE_URL" }, urlMovedTo: "SNOWFLAKE_URL" }
}

/** The Snowflake source as the apps plug it in (`source: { type: "snowflake", table | query, ... }`). */
export const snowflakeSource: SourceAdapter<SnowflakeSourceConfig> = {
  type: "snowflake",
  schema: SnowflakeSourceConfig,
  layer: (config, baseDir, env) => layer(options(config, baseDir, env), env),
  describe: (config, baseDir, env, { samples }) => describeSource(options(config, baseDir, env), { samples }, env),
  listTables: (config, env) => {
    const { table: _table, query: _query, pageSize: _page, bigNumbers: _big, binary: _binary, ...connection } = options(config, ".", env)
    return listTables(connection, env)
  },
  readsFrom: (config) => config.table ?? (config.query === undefined ? undefined : "query"),
  configEntry,
  passwordVariable: "SNOWFLAKE_PASSWORD"
}

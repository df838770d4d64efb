import path from "node:path"
import { describeSource, layer, listTables, PostgresSourceOptions } from "@tablecast/source-postgres"
import { z } from "zod"
import { EnvName, fromEnv } from "./secrets.ts"
import type { SourceAdapter } from "./SourceAdapter.ts"

const { password: _password, ...shape } = PostgresSourceOptions.shape

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

const options = ({ type: _type, urlEnv, passwordEnv, ...config }: PostgresSourceConfig, baseDir: string, env: NodeJS.ProcessEnv) => {
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

export const postgresSource: SourceAdapter<PostgresSourceConfig> = {
  type: "postgres",
  schema: PostgresSourceConfig,
  layer: (config, baseDir, env) => layer(options(config, baseDir, env), env),
  describe: (config, baseDir, env, { samples }) => describeSource(options(config, baseDir, env), { samples }, env),
  listTables: (config, env) => {
    const { table: _table, query: _query, pageSize: _page, bigNumbers: _big, binary: _binary, readOnly: _readOnly, ...connection } = options(config, ".", env)
    return listTables(connection, env)
  }
}

import * as z from "zod"
import { csvSource, CsvSourceConfig } from "./csv.ts"
import { postgresSource, PostgresSourceConfig } from "./postgres.ts"
import { snowflakeSource, SnowflakeSourceConfig } from "./snowflake.ts"
import type { DescribeOptions } from "./SourceAdapter.ts"

/** Every source the CLI can read; each entry's `type` names it in a config file. */
export const sourceAdapters = [csvSource, postgresSource, snowflakeSource] as const

export const SourceConfig = z.discriminatedUnion("type", [CsvSourceConfig, PostgresSourceConfig, SnowflakeSourceConfig])
export type SourceConfig = z.output<typeof SourceConfig>

export const sourceLayer = (config: SourceConfig, baseDir: string, env: NodeJS.ProcessEnv = process.env) => {
  switch (config.type) {
    case "csv":
      return csvSource.layer(config, baseDir, env)
    case "postgres":
      return postgresSource.layer(config, baseDir, env)
    case "snowflake":
      return snowflakeSource.layer(config, baseDir, env)
  }
}

export const describeSource = (config: SourceConfig, baseDir: string, options: DescribeOptions, env: NodeJS.ProcessEnv = process.env) => {
  switch (config.type) {
    case "csv":
      return csvSource.describe(config, baseDir, env, options)
    case "postgres":
      return postgresSource.describe(config, baseDir, env, options)
    case "snowflake":
      return snowflakeSource.describe(config, baseDir, env, options)
  }
}

export const listTables = (config: SourceConfig, env: NodeJS.ProcessEnv = process.env) => {
  switch (config.type) {
    case "csv":
      return undefined
    case "postgres":
      return postgresSource.listTables!(config, env)
    case "snowflake":
      return snowflakeSource.listTables!(config, env)
  }
}

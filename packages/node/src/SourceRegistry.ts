import type { SourceRegistry } from "@tablecast/config"
import type { SourceAdapter } from "@tablecast/core"
import type { CsvSourceConfig } from "@tablecast/source-csv/adapter"
import type { PostgresSourceConfig } from "@tablecast/source-postgres/adapter"
import type { SnowflakeSourceConfig } from "@tablecast/source-snowflake/adapter"
import type * as z from "zod"

/** A source entry of a config file (`source: {type, ...}`), as its adapter checks it. */
export type SourceConfig = CsvSourceConfig | PostgresSourceConfig | SnowflakeSourceConfig
export type SourceType = SourceConfig["type"]
type ConfigOf<Type extends SourceType> = Extract<SourceConfig, { readonly type: Type }>

/**
 * Where the rows come from: the `source` of a config-file entry (docs/config.md).
 *
 * - a CSV file: `{ type: "csv", path: "scores.csv" }` (also `delimiter`, `quote`, `header`, `columns`, ...);
 * - Postgres: `{ type: "postgres", url | urlEnv, table | query, ... }` (install `pg`);
 * - Snowflake: `{ type: "snowflake", account, table | query, ... }` (install `snowflake-sdk`).
 *
 * Passwords never go here: the drivers' variables (`PGPASSWORD`, `SNOWFLAKE_PASSWORD`) or
 * `passwordEnv` naming the variable that holds one.
 */
export type SourceOptions =
  | z.input<typeof import("@tablecast/source-csv/adapter").CsvSourceConfig>
  | z.input<typeof import("@tablecast/source-postgres/adapter").PostgresSourceConfig>
  | z.input<typeof import("@tablecast/source-snowflake/adapter").SnowflakeSourceConfig>

/**
 * Every source a sync can read, by the `type` that names it in a config entry. Each is imported
 * when a run first uses it: a CSV sync never loads a database driver (the CLI's bundle keeps each
 * source in a chunk of its own).
 */
export const sourceRegistry: { readonly [Type in SourceType]: () => Promise<SourceAdapter<ConfigOf<Type>>> } = {
  csv: async () => (await import("@tablecast/source-csv/adapter")).csvSource,
  postgres: async () => (await import("@tablecast/source-postgres/adapter")).postgresSource,
  snowflake: async () => (await import("@tablecast/source-snowflake/adapter")).snowflakeSource
}

export const sourceTypes = Object.keys(sourceRegistry) as ReadonlyArray<SourceType>

/** The registry as @tablecast/config's resolveSync reads it. */
export const configSources: SourceRegistry<SourceConfig> = sourceRegistry

/** The adapter of a source type, loaded on first use. */
export const loadSourceAdapter = <Type extends SourceType>(type: Type): Promise<SourceAdapter<ConfigOf<Type>>> => sourceRegistry[type]()

/** The adapter of a checked source entry: it accepts that entry, which its schema checked. */
export const adapterOf = (config: SourceConfig): Promise<SourceAdapter<SourceConfig>> =>
  loadSourceAdapter(config.type) as Promise<unknown> as Promise<SourceAdapter<SourceConfig>>

import type { SourceRegistry } from "@tablecast/config"
import type { SourceAdapter } from "@tablecast/core"
import type { CsvSourceConfig } from "@tablecast/source-csv/adapter"
import type { PostgresSourceConfig } from "@tablecast/source-postgres/adapter"
import type { SnowflakeSourceConfig } from "@tablecast/source-snowflake/adapter"
import type * as z from "zod"

/** A checked source entry, as its adapter takes it. */
export type SourceConfig = CsvSourceConfig | PostgresSourceConfig | SnowflakeSourceConfig

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

type ConfigOf<Type extends SourceConfig["type"]> = Extract<SourceConfig, { readonly type: Type }>

/** Every source a sync can read, by its `type`: each imported on first use (a CSV sync never loads a driver). */
export const sourceRegistry: { readonly [Type in SourceConfig["type"]]: () => Promise<SourceAdapter<ConfigOf<Type>>> } = {
  csv: async () => (await import("@tablecast/source-csv/adapter")).csvSource,
  postgres: async () => (await import("@tablecast/source-postgres/adapter")).postgresSource,
  snowflake: async () => (await import("@tablecast/source-snowflake/adapter")).snowflakeSource
}

/** The registry as @tablecast/config's resolveSync reads it. */
export const configSources: SourceRegistry<SourceConfig> = sourceRegistry as unknown as SourceRegistry<SourceConfig>

/** The adapter of a checked source entry. */
export const adapterOf = (config: SourceConfig): Promise<SourceAdapter<SourceConfig>> =>
  sourceRegistry[config.type]() as Promise<unknown> as Promise<SourceAdapter<SourceConfig>>

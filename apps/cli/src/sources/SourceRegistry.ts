import type { SourceAdapter } from "@tablecast/core"
import type { CsvSourceConfig } from "@tablecast/source-csv/adapter"
import type { PostgresSourceConfig } from "@tablecast/source-postgres/adapter"
import type { SnowflakeSourceConfig } from "@tablecast/source-snowflake/adapter"
import { drivers, withDriver } from "./Drivers.ts"

/** A source entry of a config file (`source: {type, ...}`), as its adapter checks it. */
export type SourceConfig = CsvSourceConfig | PostgresSourceConfig | SnowflakeSourceConfig
export type SourceType = SourceConfig["type"]
type ConfigOf<Type extends SourceType> = Extract<SourceConfig, { readonly type: Type }>

/**
 * Every source the CLI can read, by the `type` that names it in a config file. Each is imported
 * when a run first uses it: a CSV sync never loads a database driver (the bundle keeps each
 * source in a chunk of its own, scripts/bundle.js). A warehouse source needs its driver installed
 * beside the CLI: without it, loading the source fails with a DriverMissingError (exit 13).
 */
export const sourceRegistry: { readonly [Type in SourceType]: () => Promise<SourceAdapter<ConfigOf<Type>>> } = {
  csv: async () => (await import("@tablecast/source-csv/adapter")).csvSource,
  postgres: async () => (await withDriver(drivers.pg, "the Postgres source", () => import("@tablecast/source-postgres/adapter"))).postgresSource,
  snowflake: async () =>
    (await withDriver(drivers.snowflake, "the Snowflake source", () => import("@tablecast/source-snowflake/adapter"))).snowflakeSource
}

export const sourceTypes = Object.keys(sourceRegistry) as ReadonlyArray<SourceType>

/** The adapter of a source type, loaded on first use. */
export const loadSourceAdapter = <Type extends SourceType>(type: Type): Promise<SourceAdapter<ConfigOf<Type>>> => sourceRegistry[type]()

/** The adapter of a checked source entry: it accepts that entry, which its schema checked. */
export const adapterOf = (config: SourceConfig): Promise<SourceAdapter<SourceConfig>> =>
  loadSourceAdapter(config.type) as Promise<unknown> as Promise<SourceAdapter<SourceConfig>>

import type { SourceRegistry } from "@tablecast/config"
import type { SourceAdapter } from "@tablecast/core"
import type { BigQuerySourceConfig } from "@tablecast/source-bigquery/adapter"
import type { CsvSourceConfig } from "@tablecast/source-csv/adapter"
import type { DatabricksSourceConfig } from "@tablecast/source-databricks/adapter"
import type { DuckDBSourceConfig } from "@tablecast/source-duckdb/adapter"
import type { PostgresSourceConfig } from "@tablecast/source-postgres/adapter"
import type { SnowflakeSourceConfig } from "@tablecast/source-snowflake/adapter"
import type * as z from "zod"
import { type DriverSet, libraryDrivers, withDriver } from "./Drivers.ts"

/** A source entry of a config file (`source: {type, ...}`), as its adapter checks it. */
export type SourceConfig =
  | CsvSourceConfig
  | PostgresSourceConfig
  | SnowflakeSourceConfig
  | DuckDBSourceConfig
  | DatabricksSourceConfig
  | BigQuerySourceConfig
export type SourceType = SourceConfig["type"]
type ConfigOf<Type extends SourceType> = Extract<SourceConfig, { readonly type: Type }>

/**
 * Where the rows come from: the `source` of a config-file entry (docs/config.md).
 *
 * - a CSV file: `{ type: "csv", path: "scores.csv" }` (also `delimiter`, `quote`, `header`, `columns`, ...);
 * - Postgres: `{ type: "postgres", url | urlEnv, table | query, ... }` (install `pg`);
 * - Snowflake: `{ type: "snowflake", account, table | query, ... }` (install `snowflake-sdk`);
 * - DuckDB: `{ type: "duckdb", file }` (Parquet, NDJSON, JSON, CSV) or `{ type: "duckdb", query, paths }` (install `@duckdb/node-api`);
 * - BigQuery: `{ type: "bigquery", table | query, projectId?, location?, maximumBytesBilled? }` (install `@google-cloud/bigquery`;
 *   credentials: the service account key file GOOGLE_APPLICATION_CREDENTIALS names).
 *
 * Passwords never go here: the drivers' variables (`PGPASSWORD`, `SNOWFLAKE_PASSWORD`) or
 * `passwordEnv` naming the variable that holds one.
 */
export type SourceOptions =
  | z.input<typeof import("@tablecast/source-csv/adapter").CsvSourceConfig>
  | z.input<typeof import("@tablecast/source-postgres/adapter").PostgresSourceConfig>
  | z.input<typeof import("@tablecast/source-snowflake/adapter").SnowflakeSourceConfig>
  | z.input<typeof import("@tablecast/source-duckdb/adapter").DuckDBSourceConfig>
  | z.input<typeof import("@tablecast/source-databricks/adapter").DatabricksSourceConfig>
  | z.input<typeof import("@tablecast/source-bigquery/adapter").BigQuerySourceConfig>

/** The sources a host can read, and how it loads them: the registry by type, and the adapter of an entry. */
export interface Sources {
  /**
   * Every source a sync can read, by the `type` that names it in a config entry. Each is imported
   * when a run first uses it: a CSV sync never loads a database driver (the CLI's bundle keeps each
   * source in a chunk of its own). A warehouse source needs its package installed (`drivers`):
   * without it, loading fails with a DriverMissingError before anything is read.
   */
  readonly sourceRegistry: { readonly [Type in SourceType]: () => Promise<SourceAdapter<ConfigOf<Type>>> }
  /** The registry as @tablecast/config's resolveSync reads it. */
  readonly configSources: SourceRegistry<SourceConfig>
  /** The adapter of a source type, loaded on first use. */
  readonly loadSourceAdapter: <Type extends SourceType>(type: Type) => Promise<SourceAdapter<ConfigOf<Type>>>
  /** The adapter of a checked source entry: it accepts that entry, which its schema checked. */
  readonly adapterOf: (config: SourceConfig) => Promise<SourceAdapter<SourceConfig>>
}

export const sourceTypes: ReadonlyArray<SourceType> = ["csv", "postgres", "snowflake", "duckdb", "databricks", "bigquery"]

/** The sources of a host that needs `drivers` installed for the warehouses. */
export const sourcesFor = (drivers: DriverSet): Sources => {
  const sourceRegistry: Sources["sourceRegistry"] = {
    csv: async () => (await import("@tablecast/source-csv/adapter")).csvSource,
    postgres: async () =>
      (await withDriver(drivers.postgresSource, "the Postgres source", drivers.howToInstall, () => import("@tablecast/source-postgres/adapter")))
        .postgresSource,
    snowflake: async () =>
      (
        await withDriver(
          drivers.snowflakeSource,
          "the Snowflake source",
          drivers.howToInstall,
          () => import("@tablecast/source-snowflake/adapter")
        )
      ).snowflakeSource,
    duckdb: async () =>
      (await withDriver(drivers.duckdbSource, "the DuckDB source", drivers.howToInstall, () => import("@tablecast/source-duckdb/adapter")))
        .duckdbSource,
    databricks: async () =>
      (
        await withDriver(
          drivers.databricksSource,
          "the Databricks source",
          drivers.howToInstall,
          () => import("@tablecast/source-databricks/adapter")
        )
      ).databricksSource,
    bigquery: async () =>
      (await withDriver(drivers.bigquerySource, "the BigQuery source", drivers.howToInstall, () => import("@tablecast/source-bigquery/adapter")))
        .bigquerySource
  }
  const loadSourceAdapter = <Type extends SourceType>(type: Type): Promise<SourceAdapter<ConfigOf<Type>>> => sourceRegistry[type]()
  return {
    sourceRegistry,
    configSources: sourceRegistry,
    loadSourceAdapter,
    adapterOf: (config) => loadSourceAdapter(config.type) as Promise<unknown> as Promise<SourceAdapter<SourceConfig>>
  }
}

let librarySources: Sources | undefined
/** The sources of a program using @tablecast/node: it installs a warehouse's source package to read that warehouse. */
export const sourcesOfLibrary = (): Sources => {
  librarySources ??= sourcesFor(libraryDrivers())
  return librarySources
}

import { createRequire } from "node:module"
import * as Schema from "effect/Schema"

/** An npm package a run needs and that is installed only by the users who need it. */
export interface Driver {
  /** The npm package, e.g. "snowflake-sdk". */
  readonly packageName: string
  /** The versions that work, e.g. "^3.3.0". */
  readonly versionRange: string
}

/**
 * What a host (the CLI, or a program using this package) needs installed for each warehouse, and
 * how to tell its user to install it. The CLI bundles the sources and needs only the drivers
 * (`pg`, `snowflake-sdk`, `@duckdb/node-api`, `@databricks/sql`, `@google-cloud/bigquery`); a program using `@tablecast/node` installs the source package, which
 * brings its driver.
 */
export interface DriverSet {
  readonly postgresSource: Driver
  readonly postgresState: Driver
  readonly snowflakeSource: Driver
  /** Parquet, JSON and SQL over local files: DuckDB's engine (`@duckdb/node-api`, a native binary). */
  readonly duckdbSource: Driver
  /** Databricks SQL warehouses: the official driver (`@databricks/sql`). */
  readonly databricksSource: Driver
  /** BigQuery: Google's client (`@google-cloud/bigquery`). */
  readonly bigquerySource: Driver
  /** The advice that ends the error's one line, for a package spec such as "pg@^8.23.1". */
  readonly howToInstall: (spec: string) => string
}

/** A package the run needs is not installed: the run stops before reading anything (the CLI's exit 13), naming the package to install. */
export class DriverMissingError extends Schema.TaggedError<DriverMissingError>()("DriverMissingError", {
  message: Schema.String,
  /** The npm package to install, e.g. "snowflake-sdk". */
  packageName: Schema.String,
  /** The versions that work, e.g. "^3.3.0". */
  versionRange: Schema.String
}) {}

/** The error for a missing package: one line naming it and how to install it. */
export const driverMissing = (driver: Driver, neededBy: string, howToInstall: DriverSet["howToInstall"]): DriverMissingError => {
  const spec = `${driver.packageName}@${driver.versionRange}`
  return new DriverMissingError({
    message: `${neededBy} needs the npm package ${spec}, which is not installed: ${howToInstall(spec)}`,
    packageName: driver.packageName,
    versionRange: driver.versionRange
  })
}

/** True when `error` says that exactly this package (or a file of it) cannot be found, from `import` or `require`. */
export const isNotFound = (error: unknown, packageName: string): boolean => {
  if (typeof error !== "object" || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false
  // "Cannot find package 'pg' imported from …" (import), "Cannot find module 'pg/lib/utils.js'" (require).
  const escaped = packageName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return new RegExp(`Cannot find (?:package|module) '${escaped}(?:/[^']*)?'`).test(String(message))
}

/** Where a driver is looked for: beside the code that loads it (this module's folder, then up), as its own import would. */
export type ResolveDriver = (packageName: string) => unknown
const resolveBesideThisModule: ResolveDriver = (packageName) => createRequire(import.meta.url).resolve(packageName)

/**
 * Checks that a package can be found before a run loads the code that needs it, then loads that
 * code; a missing package (found missing either way) becomes a DriverMissingError.
 */
export const withDriver = async <A>(
  driver: Driver,
  neededBy: string,
  howToInstall: DriverSet["howToInstall"],
  load: () => Promise<A>,
  resolve: ResolveDriver = resolveBesideThisModule
): Promise<A> => {
  try {
    resolve(driver.packageName)
    return await load()
  } catch (error) {
    if (isNotFound(error, driver.packageName)) throw driverMissing(driver, neededBy, howToInstall)
    throw error
  }
}

/**
 * A program using @tablecast/node installs the warehouse's source package (optional peers of this
 * package), in the same version as this one: it brings the driver.
 */
export const libraryDrivers = (): DriverSet => {
  const { version } = createRequire(import.meta.url)("../package.json") as { readonly version: string }
  const versionRange = `^${version}`
  return {
    postgresSource: { packageName: "@tablecast/source-postgres", versionRange },
    postgresState: { packageName: "@tablecast/state-postgres", versionRange },
    snowflakeSource: { packageName: "@tablecast/source-snowflake", versionRange },
    duckdbSource: { packageName: "@tablecast/source-duckdb", versionRange },
    databricksSource: { packageName: "@tablecast/source-databricks", versionRange },
    bigquerySource: { packageName: "@tablecast/source-bigquery", versionRange },
    howToInstall: (spec) => `install it beside @tablecast/node with npm install ${spec}`
  }
}

import type { DriverSet } from "@tablecast/node/shared"

export { DriverMissingError, isNotFound, withDriver } from "@tablecast/node/shared"

/**
 * The warehouse drivers: optional peer dependencies of the CLI (package.json), not in its bundle,
 * installed only by a user who reads that warehouse. The ranges are the CLI's peerDependencies
 * (Drivers.test.ts checks they agree).
 */
export const drivers = {
  pg: { packageName: "pg", versionRange: "^8.23.1" },
  snowflake: { packageName: "snowflake-sdk", versionRange: "^3.3.0" },
  duckdb: { packageName: "@duckdb/node-api", versionRange: "^1.5.6-r.1" },
  databricks: { packageName: "@databricks/sql", versionRange: "^2.1.0" },
  bigquery: { packageName: "@google-cloud/bigquery", versionRange: "^9.3.0" }
} as const

/** The CLI bundles the sources: what it needs beside it is the driver, installed globally or for npx. */
export const cliDrivers: DriverSet = {
  postgresSource: drivers.pg,
  postgresState: drivers.pg,
  snowflakeSource: drivers.snowflake,
  duckdbSource: drivers.duckdb,
  databricksSource: drivers.databricks,
  bigquerySource: drivers.bigquery,
  howToInstall: (spec) =>
    `install it beside tablecast with npm install -g ${spec} (or npm install ${spec} in a project), or run npx -p @tablecast/cli -p ${spec} tablecast …`
}

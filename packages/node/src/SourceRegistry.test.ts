import { readFileSync } from "node:fs"
import { sourceEntrySchema } from "@tablecast/config"
import { csvSource } from "@tablecast/source-csv/adapter"
import { describe, expect, it } from "vitest"
import { DriverMissingError, libraryDrivers } from "./Drivers.ts"
import { PackageMissingError } from "./Errors.ts"
import { optionsErrorOf } from "./Options.ts"
import { sourcesFor, sourcesOfLibrary, sourceTypes } from "./SourceRegistry.ts"

const { adapterOf, configSources: sourceRegistry } = sourcesOfLibrary()

describe("the source registry", () => {
  it("names every source, and loads the one an entry names", async () => {
    expect(sourceTypes).toEqual(["csv", "postgres", "snowflake", "duckdb", "databricks", "bigquery"])
    expect((await adapterOf({ type: "postgres", table: "t" } as never)).type).toBe("postgres")
    expect((await adapterOf({ type: "duckdb", file: "scores.parquet" } as never)).type).toBe("duckdb")
  })

  it("checks an entry with its adapter's schema, defaults included", async () => {
    const parsed = (await sourceEntrySchema(sourceRegistry, { type: "csv", path: "a.csv" })).parse({ type: "csv", path: "a.csv" })
    expect(parsed).toEqual(csvSource.schema.parse({ type: "csv", path: "a.csv" }))
  })

  it("refuses an unknown type naming every type, as one schema of all the sources did", async () => {
    const issues = (await sourceEntrySchema(sourceRegistry, { type: "mysql" })).safeParse({ type: "mysql" }).error?.issues
    expect(issues?.map((issue) => [issue.path, issue.message])).toEqual([
      [["type"], "Invalid discriminator value. Expected 'csv' | 'postgres' | 'snowflake' | 'duckdb' | 'databricks' | 'bigquery'"]
    ])
  })

  it("a warehouse whose package is not installed: a DriverMissingError naming it, a PackageMissingError (exit 13) for the library's user", async () => {
    const absent = { packageName: "@tablecast/source-snowflake-absent", versionRange: "^0.1.0" }
    const { loadSourceAdapter } = sourcesFor({ ...libraryDrivers(), snowflakeSource: absent })
    const error = await loadSourceAdapter("snowflake").catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DriverMissingError)
    const mapped = optionsErrorOf(error)
    expect(mapped).toBeInstanceOf(PackageMissingError)
    expect(mapped).toMatchObject({ kind: "package-missing", exitCode: 13, packageName: absent.packageName, versionRange: "^0.1.0" })
    expect((mapped as Error).message).toBe(
      "the Snowflake source needs the npm package @tablecast/source-snowflake-absent@^0.1.0, which is not installed: install it beside @tablecast/node with npm install @tablecast/source-snowflake-absent@^0.1.0"
    )
  })

  it("asks the library's user for the source package in this package's version", () => {
    const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version
    expect(libraryDrivers().snowflakeSource).toEqual({ packageName: "@tablecast/source-snowflake", versionRange: `^${version}` })
    expect(libraryDrivers().postgresState.packageName).toBe("@tablecast/state-postgres")
    expect(libraryDrivers().duckdbSource).toEqual({ packageName: "@tablecast/source-duckdb", versionRange: `^${version}` })
    expect(libraryDrivers().databricksSource).toEqual({ packageName: "@tablecast/source-databricks", versionRange: `^${version}` })
    expect(libraryDrivers().bigquerySource).toEqual({ packageName: "@tablecast/source-bigquery", versionRange: `^${version}` })
  })
})

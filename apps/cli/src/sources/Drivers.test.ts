import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { cliErrorDetails, failureJson } from "../JsonFailure.ts"
import { ExitCode, exitCodeOfError, isCliError } from "../ExitCode.ts"
import { cliDrivers, DriverMissingError, drivers, isNotFound, withDriver } from "./Drivers.ts"

const cliRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const manifest = JSON.parse(readFileSync(path.join(cliRoot, "package.json"), "utf8")) as { peerDependencies: Record<string, string> }

const notFound = (code: string, message: string) => Object.assign(new Error(message), { code })

describe("the warehouse drivers", () => {
  it("are the CLI's optional peer dependencies, with the same ranges", () => {
    expect(Object.fromEntries(Object.values(drivers).map((driver) => [driver.packageName, driver.versionRange]))).toEqual(
      manifest.peerDependencies
    )
  })

  it("a missing driver is told by its exact package name, from import or require, and only that package's", () => {
    expect(isNotFound(notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'pg' imported from /x/dist/chunk-a.js"), "pg")).toBe(true)
    expect(isNotFound(notFound("MODULE_NOT_FOUND", "Cannot find module 'pg/lib/utils.js'\nRequire stack:\n- /x"), "pg")).toBe(true)
    expect(isNotFound(notFound("MODULE_NOT_FOUND", "Cannot find module 'snowflake-sdk'"), "snowflake-sdk")).toBe(true)
    // A package of the driver's own that is missing is a broken install, not a missing driver.
    expect(isNotFound(notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'pg-protocol' imported from /x/pg/lib/client.js"), "pg")).toBe(false)
    expect(isNotFound(notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'pgpass'"), "pg")).toBe(false)
    expect(isNotFound(new Error("Cannot find package 'pg'"), "pg")).toBe(false)
  })

  it("withDriver loads nothing when the driver cannot be found, and names the package, its versions and how to install it", async () => {
    let loaded = false
    const missing = (name: string) => {
      throw notFound("MODULE_NOT_FOUND", `Cannot find module '${name}'`)
    }
    const error = await withDriver(drivers.snowflake, "the Snowflake source", cliDrivers.howToInstall, async () => (loaded = true), missing).catch(
      (caught: unknown) => caught
    )
    expect(loaded).toBe(false)
    expect(error).toBeInstanceOf(DriverMissingError)
    const driverMissing = error as DriverMissingError
    expect({ packageName: driverMissing.packageName, versionRange: driverMissing.versionRange }).toEqual({
      packageName: "snowflake-sdk",
      versionRange: "^3.3.0"
    })
    expect(driverMissing.message).toBe(
      "the Snowflake source needs the npm package snowflake-sdk@^3.3.0, which is not installed: install it beside tablecast with npm install -g snowflake-sdk@^3.3.0 (or npm install snowflake-sdk@^3.3.0 in a project), or run npx -p @tablecast/cli -p snowflake-sdk@^3.3.0 tablecast …"
    )
    expect(isCliError(error) && exitCodeOfError(error)).toBe(ExitCode.driverMissing)
    expect(ExitCode.driverMissing).toBe(13)
    expect(JSON.parse(failureJson({ code: 13, message: driverMissing.message, details: cliErrorDetails(driverMissing) }))).toEqual({
      error: { code: 13, kind: "driverMissing", message: driverMissing.message, packageName: "snowflake-sdk", versionRange: "^3.3.0" }
    })
  })

  it("withDriver passes other failures through, and loads when the driver is there", async () => {
    const broken = notFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'pg-protocol' imported from /x")
    await expect(
      withDriver(
        drivers.pg,
        "the Postgres source",
        cliDrivers.howToInstall,
        () => Promise.reject(broken),
        () => "/x/pg/lib/index.js"
      )
    ).rejects.toBe(broken)
    await expect(
      withDriver(
        drivers.pg,
        "the Postgres source",
        cliDrivers.howToInstall,
        () => Promise.resolve("loaded"),
        () => "/x/pg/lib/index.js"
      )
    ).resolves.toBe("loaded")
  })
})

/**
 * The built CLI as npm installs it without the optional drivers: its published files copied into
 * an empty folder, with only its dependencies (oclif's) beside them. Neither pg nor
 * snowflake-sdk can be found from there.
 */
const installedWithoutDrivers = (): string => {
  const folder = mkdtempSync(path.join(tmpdir(), "tablecast-no-drivers-"))
  const cli = path.join(folder, "node_modules", "@tablecast", "cli")
  mkdirSync(path.join(cli, "dist"), { recursive: true })
  cpSync(path.join(cliRoot, "bin"), path.join(cli, "bin"), { recursive: true, filter: (file) => !file.endsWith(".d.ts") })
  for (const file of readdirSync(path.join(cliRoot, "dist")))
    if (/^(tablecast|CsvReaderWorker|chunk-[\w-]+)\.js$/.test(file)) cpSync(path.join(cliRoot, "dist", file), path.join(cli, "dist", file))
  cpSync(path.join(cliRoot, "package.json"), path.join(cli, "package.json"))
  // Its dependencies (@oclif/core and the oclif plugins), as npm would put them beside it.
  const dependencies = Object.keys(JSON.parse(readFileSync(path.join(cliRoot, "package.json"), "utf8")).dependencies ?? {})
  for (const name of dependencies) {
    const linked = path.join(folder, "node_modules", name)
    mkdirSync(path.dirname(linked), { recursive: true })
    symlinkSync(realpathSync(path.join(cliRoot, "node_modules", name)), linked)
  }
  writeFileSync(path.join(folder, "rows.csv"), "id,score\n1,0.5\n2,0.25\n")
  writeFileSync(
    path.join(folder, "databricks.config.json"),
    JSON.stringify({ syncs: { churn: { source: { type: "databricks", table: "main.scores.churn" }, event: "Scored", customerId: "id" } } })
  )
  return folder
}

describe("the built CLI without its optional drivers", () => {
  const folder = installedWithoutDrivers()
  const run = (args: ReadonlyArray<string>) =>
    spawnSync(process.execPath, [path.join(folder, "node_modules/@tablecast/cli/bin/run.js"), ...args], {
      cwd: folder,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "",
        HOME: folder,
        SEGMENT_WRITE_KEY: "not-used",
        SNOWFLAKE_USER: "reader",
        SNOWFLAKE_PASSWORD: "not-used",
        PGPASSWORD: "not-used"
      }
    })
  const track = ["--event", "Scored", "--customer-id", "id", "--endpoint", "http://127.0.0.1:9"]

  it("cannot find any driver (the premise of the cases below)", () => {
    // In a child without NODE_PATH (pnpm sets one for its scripts), as the CLI runs below.
    const resolving = `for (const name of ["pg", "snowflake-sdk", "@duckdb/node-api", "@databricks/sql", "@google-cloud/bigquery"]) try { require.resolve(name); console.log(name) } catch {}`
    const found = spawnSync(process.execPath, ["-e", resolving], {
      cwd: path.join(folder, "node_modules/@tablecast/cli/dist"),
      encoding: "utf8",
      env: {}
    })
    expect({ status: found.status, found: found.stdout }).toEqual({ status: 0, found: "" })
  })

  it("a CSV sync runs: nothing at start needs a driver", () => {
    const result = run(["sync", "--file", "rows.csv", ...track, "--dry-run"])
    expect({ code: result.status, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) })
    expect(result.stderr).not.toMatch(/needs the npm package/)
  })

  it.each([
    [
      "a Snowflake source",
      ["sync", "--snowflake", "myorg-myaccount", "--table", "SCORES", ...track],
      "the Snowflake source",
      "snowflake-sdk@^3.3.0"
    ],
    [
      "a Postgres source",
      ["sync", "--postgres", "postgres://reader@127.0.0.1:9/db", "--table", "scores", ...track],
      "the Postgres source",
      "pg@^8.23.1"
    ],
    [
      "a Postgres state store",
      ["sync", "--file", "rows.csv", ...track, "--key", "id", "--state-postgres", "postgres://reader@127.0.0.1:9/db"],
      "the Postgres state store",
      "pg@^8.23.1"
    ],
    ["inspect of a Snowflake account", ["inspect", "--snowflake", "myorg-myaccount"], "the Snowflake source", "snowflake-sdk@^3.3.0"],
    ["a Parquet file", ["sync", "--file", "scores.parquet", ...track], "the DuckDB source", "@duckdb/node-api@^1.5.6-r.1"],
    [
      "a Databricks source",
      ["sync", "churn", "--config", "databricks.config.json", "--endpoint", "http://127.0.0.1:9"],
      "the Databricks source",
      "@databricks/sql@^2.1.0"
    ],
    [
      "a query over local files",
      ["sync", "--duckdb", ".", "--query", "select * from 'rows.csv'", ...track],
      "the DuckDB source",
      "@duckdb/node-api@^1.5.6-r.1"
    ],
    [
      "a BigQuery table",
      ["sync", "--bigquery", "my-project", "--table", "scores.churn", ...track],
      "the BigQuery source",
      "@google-cloud/bigquery@^9.3.0"
    ]
  ])("%s: exit 13 before reading, one line naming the package", (_case, args, neededBy, spec) => {
    const result = run(args)
    expect(result.status).toBe(13)
    expect(result.stdout).toBe("")
    expect(result.stderr).toBe(
      `tablecast: ${neededBy} needs the npm package ${spec}, which is not installed: install it beside tablecast with npm install -g ${spec} (or npm install ${spec} in a project), or run npx -p @tablecast/cli -p ${spec} tablecast …\n`
    )
  })

  it("with --json, the same error as one JSON object on stdout", () => {
    const result = run(["sync", "--snowflake", "myorg-myaccount", "--table", "SCORES", ...track, "--json"])
    expect(result.status).toBe(13)
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { code: 13, kind: "driverMissing", packageName: "snowflake-sdk", versionRange: "^3.3.0" }
    })
  })
})

import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import * as z from "zod"
import { ConfigError } from "../ConfigError.ts"
import { mappingOverrides, specFlagNames } from "../FlagOverrides.ts"
import { resolveSync } from "../ResolveSync.ts"
import { sourceRegistryOf } from "../SourceRegistry.ts"

const PostgresEntry = z
  .object({ type: z.literal("postgres"), url: z.string().optional(), table: z.string().optional(), query: z.string().optional() })
  .strict()
const SnowflakeEntry = z.object({ type: z.literal("snowflake"), account: z.string().optional(), table: z.string().optional() }).strict()
const DuckEntry = z
  .object({ type: z.literal("duckdb"), file: z.string().optional(), query: z.string().optional(), paths: z.array(z.string()).optional() })
  .strict()
const WarehouseEntry = z
  .object({
    type: z.enum(["bigquery", "databricks"]),
    projectId: z.string().optional(),
    host: z.string().optional(),
    table: z.string().optional()
  })
  .strict()
const sources = sourceRegistryOf<
  z.output<typeof PostgresEntry> | z.output<typeof SnowflakeEntry> | z.output<typeof DuckEntry> | z.output<typeof WarehouseEntry>
>([
  { type: "postgres", schema: PostgresEntry },
  { type: "snowflake", schema: SnowflakeEntry },
  { type: "duckdb", schema: DuckEntry },
  { type: "bigquery", schema: WarehouseEntry },
  { type: "databricks", schema: WarehouseEntry }
])

/** A dbt project folder whose target/manifest.json is one of the fixtures. */
const project = (fixture: string): string => {
  const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbt-"))
  mkdirSync(path.join(folder, "target"))
  copyFileSync(new URL(`fixtures/${fixture}`, import.meta.url), path.join(folder, "target", "manifest.json"))
  return folder
}
const postgresProject = project("manifest-v12-postgres.json")

const fromFlags = (flags: Record<string, unknown>, cwd = postgresProject, entry?: Record<string, unknown>) => {
  const { source, sourcePatch, spec, dbt } = mappingOverrides({ event: "Churn Scored", "customer-id": "customer_id", ...flags })
  return resolveSync({
    ...(entry === undefined ? {} : { entry: { name: "churn", value: entry, file: path.join(cwd, "tablecast.config.json") } }),
    overrides: { source, sourcePatch, spec, dbt, destination: {}, pipeline: {} },
    sources,
    env: {},
    cwd,
    flagOf: specFlagNames,
    needsWriteKey: false
  })
}
const failure = async (promise: Promise<unknown>): Promise<ConfigError> => {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe("a sync of a dbt model", () => {
  it("--dbt-model reads the model's relation from the manifest of the current folder's project", async () => {
    const sync = await fromFlags({ postgres: "postgres://db/analytics", "dbt-model": "churn.churn_scores" }, postgresProject)
    expect(sync.source).toEqual({ type: "postgres", url: "postgres://db/analytics", table: '"marts"."churn_scores"' })
  })

  it("--dbt-project names the project folder or its manifest file, relative to the current folder", async () => {
    const snowflake = project("manifest-v10-snowflake.json")
    expect(mappingOverrides({ "dbt-model": "m", "dbt-project": "dbt" }).dbt).toEqual({ model: "m", project: path.resolve("dbt") })
    const byFolder = await fromFlags({ snowflake: "acme", "dbt-model": "rfm_segments", "dbt-project": snowflake })
    expect(byFolder.source).toEqual({ type: "snowflake", account: "acme", table: '"ANALYTICS"."MARTS"."RFM_SEGMENTS"' })
    const byFile = await fromFlags({
      snowflake: "acme",
      "dbt-model": "rfm_segments",
      "dbt-project": path.join(snowflake, "target", "manifest.json")
    })
    expect(byFile.source).toEqual(byFolder.source)
  })

  it("a config entry's dbt.model and dbt.project (relative to the config file) fill its source's table; --dbt-model replaces its table", async () => {
    const folder = path.dirname(postgresProject)
    const entry = {
      source: { type: "postgres", url: "postgres://db/a" },
      dbt: { model: "marketing.churn_scores", project: path.basename(postgresProject) }
    }
    expect((await fromFlags({}, folder, entry)).source).toEqual({ type: "postgres", url: "postgres://db/a", table: '"marketing"."churn_scores"' })
    const withTable = {
      source: { type: "postgres", url: "postgres://db/a", table: "old" },
      dbt: { project: path.basename(postgresProject), model: "ltv" }
    }
    expect((await failure(fromFlags({}, folder, withTable))).message).toContain("--dbt-model names the table to read")
    const replaced = await fromFlags({ "dbt-model": "ltv.v1", "dbt-project": postgresProject }, folder, {
      source: { type: "postgres", table: "old" }
    })
    expect(replaced.source).toEqual({ type: "postgres", table: '"marts"."ltv_v1"' })
    const bad = await failure(fromFlags({}, folder, { source: { type: "postgres" }, dbt: { modle: "x" } }))
    expect(bad.field).toMatch(/^syncs\.churn\.dbt/)
  })

  it("a DuckDB external model becomes the source's file, relative to the dbt project", async () => {
    const lake = project("manifest-v11-duckdb.json")
    const sync = await fromFlags({ duckdb: ".", "dbt-model": "scores_export" }, lake)
    expect(sync.source).toEqual({ type: "duckdb", file: path.join(lake, "exports", "scores.parquet") })
  })

  it("resolves a dbt-bigquery and a dbt-databricks model to the backticked table their adapters wrote, from --bigquery and --databricks", async () => {
    const bigquery = await fromFlags({ bigquery: "env", "dbt-model": "churn.churn_scores" }, project("manifest-v12-bigquery.json"))
    expect(bigquery.source).toEqual({ type: "bigquery", table: "`tablecast-test`.`marts`.`churn_scores`" })
    const databricks = await fromFlags(
      { databricks: "dbc-a1b2345c-d6e7.cloud.databricks.com", "dbt-model": "churn_scores" },
      project("manifest-v12-databricks.json")
    )
    expect(databricks.source).toEqual({ type: "databricks", host: "dbc-a1b2345c-d6e7.cloud.databricks.com", table: "`ml`.`marts`.`churn_scores`" })
  })

  it("refuses --dbt-model with --table, --query or --file, without a warehouse, and a project without a manifest", async () => {
    expect(() => mappingOverrides({ postgres: "env", table: "t", "dbt-model": "ltv" })).toThrow("--dbt-model names the table to read")
    const alone = await failure(fromFlags({ "dbt-model": "ltv" }))
    expect(alone.message).toBe("--dbt-model ltv needs the warehouse that holds it: --postgres, --snowflake, --bigquery, --databricks or --duckdb")
    expect(alone.flag).toBe("dbt-model")
    const empty = mkdtempSync(path.join(tmpdir(), "tablecast-dbt-"))
    const missing = await failure(fromFlags({ postgres: "env", "dbt-model": "ltv" }, empty))
    expect(missing.message).toBe(
      `no dbt manifest at ${path.join(empty, "target", "manifest.json")}: run dbt (dbt compile, run or build) in ${empty} first, or point --dbt-project at the project folder`
    )
    expect((await failure(fromFlags({ postgres: "env", "dbt-project": "." }))).message).toBe("--dbt-project needs --dbt-model (the model to read)")
  })
})

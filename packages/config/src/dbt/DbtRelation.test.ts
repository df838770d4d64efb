import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { ConfigError } from "../ConfigError.ts"
import { type DbtModel, findDbtModel, parseDbtManifest } from "./DbtManifest.ts"
import { dbtSourceFields, splitRelationName } from "./DbtRelation.ts"

const manifest = (name: string) => parseDbtManifest(JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8")), name)
const postgres = manifest("manifest-v12-postgres.json")
const snowflake = manifest("manifest-v10-snowflake.json")
const duckdb = manifest("manifest-v11-duckdb.json")
const failure = (model: DbtModel, type: string): ConfigError => {
  try {
    dbtSourceFields(model, type)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error("expected a ConfigError")
}

describe("splitRelationName", () => {
  it("keeps quoted parts exact (doubled quotes, dots inside) and folds unquoted ones as the warehouse does", () => {
    expect(splitRelationName('"analytics"."My.Schema"."a ""b"""', { quote: '"', fold: "lower" })).toEqual(["analytics", "My.Schema", 'a "b"'])
    expect(splitRelationName('ANALYTICS.marts."Mixed"', { quote: '"', fold: "upper" })).toEqual(["ANALYTICS", "MARTS", "Mixed"])
    expect(splitRelationName("`proj`.`data set`.`t`", { quote: "`", fold: "none" })).toEqual(["proj", "data set", "t"])
  })
})

describe("dbtSourceFields", () => {
  it("gives Postgres schema.name (the connection picks the database), each part quoted as dbt-postgres created it", () => {
    expect(dbtSourceFields(findDbtModel(postgres, "churn.churn_scores"), "postgres")).toEqual({ table: '"marts"."churn_scores"' })
    expect(dbtSourceFields(findDbtModel(postgres, "Sales Forecast"), "postgres")).toEqual({ table: '"Marts"."Sales Forecast"' })
    expect(dbtSourceFields(findDbtModel(postgres, "ltv"), "postgres")).toEqual({ table: '"marts"."ltv_v2"' })
  })

  it("gives Snowflake database.schema.name with dbt-snowflake's unquoted parts folded to upper case", () => {
    expect(dbtSourceFields(findDbtModel(snowflake, "rfm_segments"), "snowflake")).toEqual({ table: '"ANALYTICS"."MARTS"."RFM_SEGMENTS"' })
  })

  it("gives Databricks and BigQuery catalog.schema.name / project.dataset.name in backticks, as dbt-databricks and dbt-bigquery wrote them", () => {
    const model = findDbtModel(snowflake, "rfm_segments")
    expect(dbtSourceFields({ ...model, relationName: "`main`.`Marts`.`rfm`" }, "databricks")).toEqual({ table: "`main`.`Marts`.`rfm`" })
    expect(dbtSourceFields({ ...model, relationName: "main.Marts.RFM" }, "databricks")).toEqual({ table: "`main`.`marts`.`rfm`" })
    expect(dbtSourceFields({ ...model, relationName: "`odd``name`.`s`.`t`" }, "databricks")).toEqual({ table: "`odd``name`.`s`.`t`" })
    expect(dbtSourceFields({ ...model, relationName: "`my-project`.`Marts`.`RFM_v2`" }, "bigquery")).toEqual({
      table: "`my-project`.`Marts`.`RFM_v2`"
    })
  })

  it("falls back to database, schema and alias when dbt wrote no relation_name, with the adapter's default quoting", () => {
    const model = { ...findDbtModel(snowflake, "rfm_segments"), relationName: undefined, database: "analytics", identifier: "Rfm" }
    expect(dbtSourceFields(model, "snowflake")).toEqual({ table: '"ANALYTICS"."MARTS"."RFM"' })
    expect(dbtSourceFields(model, "postgres")).toEqual({ table: '"MARTS"."Rfm"' })
  })

  it("gives DuckDB an external model's file, and refuses a model kept inside the database file", () => {
    expect(dbtSourceFields(findDbtModel(duckdb, "scores_export"), "duckdb")).toEqual({ file: "exports/scores.parquet" })
    expect(failure(findDbtModel(duckdb, "scores_table"), "duckdb").message).toContain(
      "dbt model lake.scores_table is materialized as table inside a DuckDB database file, which the DuckDB source does not open"
    )
  })

  it("refuses an ephemeral model and a source that reads no table", () => {
    expect(failure(findDbtModel(postgres, "stg_customers"), "postgres").message).toBe(
      "dbt model churn.stg_customers is ephemeral: dbt builds no table for it, so there is nothing to read"
    )
    expect(failure(findDbtModel(postgres, "ltv"), "csv").message).toBe(
      "--dbt-model reads a warehouse's table (postgres, snowflake, databricks, bigquery, duckdb), not a csv source"
    )
  })
})

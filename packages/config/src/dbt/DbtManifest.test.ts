import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { ConfigError } from "../ConfigError.ts"
import { findDbtModel, parseDbtManifest } from "./DbtManifest.ts"

const fixture = (name: string): Record<string, any> => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"))
const v12 = () => parseDbtManifest(fixture("manifest-v12-postgres.json"), "manifest.json")
const thrown = (run: () => unknown): ConfigError => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error("expected a ConfigError")
}

describe("parseDbtManifest", () => {
  it("reads a v12 manifest's models, their docs, and the unique/not_null tests and constraints on their columns", () => {
    const manifest = v12()
    expect(manifest).toMatchObject({ version: "v12", dbtVersion: "1.9.1", adapterType: "postgres" })
    // Tests and other resource types are not models.
    expect(manifest.models.map((model) => model.uniqueId)).toEqual([
      "model.churn.churn_scores",
      "model.churn.ltv.v1",
      "model.churn.ltv.v2",
      "model.churn.Sales Forecast",
      "model.churn.stg_customers",
      "model.marketing.churn_scores"
    ])
    const churn = findDbtModel(manifest, "churn.churn_scores")
    expect(churn).toMatchObject({
      schema: "marts",
      identifier: "churn_scores",
      materialized: "table",
      description: "Churn probability per customer, scored nightly."
    })
    expect(churn.columns.map((column) => [column.name, column.checks, column.dataType])).toEqual([
      ["customer_id", ["unique", "not_null"], "bigint"],
      ["churn_score", [], "numeric(6,4)"],
      ["segment", [], "text"],
      ["account_id", ["not_null"], "bigint"]
    ])
    // A contract's primary_key constraint is unique and not null; an empty description is none.
    expect(findDbtModel(manifest, "Sales Forecast").columns).toEqual([
      { name: "user_id", description: undefined, dataType: "text", checks: ["unique", "not_null"] }
    ])
  })

  it("reads a v10 manifest (dbt 1.6), whose tests name their model by depends_on", () => {
    const manifest = parseDbtManifest(fixture("manifest-v10-snowflake.json"), "manifest.json")
    expect(manifest.version).toBe("v10")
    expect(manifest.adapterType).toBeUndefined()
    expect(findDbtModel(manifest, "rfm_segments").columns.map((column) => column.checks)).toEqual([["unique", "not_null"], []])
  })

  it("refuses a manifest version it does not read, and a file that is not a manifest, saying which", () => {
    const old = fixture("manifest-v10-snowflake.json")
    old.metadata.dbt_schema_version = "https://schemas.getdbt.com/dbt/manifest/v7.json"
    expect(thrown(() => parseDbtManifest(old, "target/manifest.json")).message).toBe(
      "target/manifest.json: dbt manifest schema v7 is not supported (tablecast reads v10, v11, v12: dbt 1.6 and later); regenerate it with a supported dbt version"
    )
    const future = fixture("manifest-v12-postgres.json")
    future.metadata.dbt_schema_version = "https://schemas.getdbt.com/dbt/manifest/v13.json"
    expect(thrown(() => parseDbtManifest(future, "m.json")).message).toContain("dbt manifest schema v13 is not supported")
    expect(thrown(() => parseDbtManifest({ nodes: {} }, "m.json")).message).toContain("not a dbt manifest (no metadata.dbt_schema_version)")
    const broken = fixture("manifest-v12-postgres.json")
    broken.nodes["model.churn.churn_scores"].schema = 42
    expect(thrown(() => parseDbtManifest(broken, "m.json")).message).toMatch(/^m\.json: nodes\.model\.churn\.churn_scores\.schema: /)
  })
})

describe("findDbtModel", () => {
  const manifest = v12()
  it("finds a model by name, package.name or unique id; a versioned one at its latest version unless .vN says", () => {
    expect(findDbtModel(manifest, "model.marketing.churn_scores").schema).toBe("marketing")
    expect(findDbtModel(manifest, "marketing.churn_scores").schema).toBe("marketing")
    expect(findDbtModel(manifest, "ltv").uniqueId).toBe("model.churn.ltv.v2")
    expect(findDbtModel(manifest, "ltv.v1").uniqueId).toBe("model.churn.ltv.v1")
  })

  it("refuses an ambiguous name, naming the candidates, and an unknown one, naming close names", () => {
    const ambiguous = thrown(() => findDbtModel(manifest, "churn_scores"))
    expect(ambiguous.message).toBe('dbt model "churn_scores" is ambiguous: churn.churn_scores, marketing.churn_scores; name it as package.model')
    expect(ambiguous.flag).toBe("dbt-model")
    expect(thrown(() => findDbtModel(manifest, "churn")).message).toBe(
      'no dbt model "churn" in the manifest (6 models); did you mean churn.churn_scores, marketing.churn_scores?'
    )
  })
})

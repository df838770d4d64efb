import path from "node:path"
import { describe, expect, it } from "vitest"
import { ConfigError } from "./ConfigError.ts"
import { deliveryOverrides, incrementalOverrides, mappingOverrides } from "./FlagOverrides.ts"

const thrown = (run: () => unknown): ConfigError => {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error("expected a ConfigError")
}

describe("flag overrides", () => {
  it("reads the mapping flags into a source and spec fields", () => {
    const overrides = mappingOverrides({ file: "scores.csv", event: "Churn", "customer-id": "id", properties: "a, b", rename: ["a=x.a"] })
    expect(overrides.source).toEqual({ type: "csv", path: path.resolve("scores.csv") })
    expect(overrides.spec).toMatchObject({ event: "Churn", customerId: "id", properties: ["a", "b"], rename: { a: "x.a" } })
    expect(mappingOverrides({ table: "analytics.scores" }).sourcePatch).toEqual({ table: "analytics.scores" })
  })

  it("reads a BigQuery table or query with its project, location and byte limit, and refuses those flags without --bigquery", () => {
    expect(
      mappingOverrides({ bigquery: "my-project", table: "scores.churn", "bigquery-location": "EU", "bigquery-max-bytes-billed": "10000000000" })
        .source
    ).toEqual({ type: "bigquery", projectId: "my-project", table: "scores.churn", location: "EU", maximumBytesBilled: "10000000000" })
    expect(mappingOverrides({ bigquery: "env", query: "select 1" }).source).toEqual({ type: "bigquery", query: "select 1" })
    expect(thrown(() => mappingOverrides({ file: "a.csv", "bigquery-location": "EU" })).flag).toBe("bigquery-location")
    expect(thrown(() => mappingOverrides({ bigquery: "p", table: "t.u", "bigquery-max-bytes-billed": "10GB" })).message).toMatch(
      /whole number of bytes.*"10GB"/
    )
  })

  it("takes the BigQuery API endpoint with --bigquery only", () => {
    expect(mappingOverrides({ bigquery: "p", table: "t.u", "bigquery-api-endpoint": "https://bigquery-psc.p.googleapis.com" }).source).toEqual({
      type: "bigquery",
      projectId: "p",
      table: "t.u",
      apiEndpoint: "https://bigquery-psc.p.googleapis.com"
    })
    expect(thrown(() => mappingOverrides({ file: "a.csv", "bigquery-api-endpoint": "https://x.example" })).flag).toBe("bigquery-api-endpoint")
  })

  it("reads a Databricks table or query from the workspace host, or DATABRICKS_HOST with env", () => {
    expect(mappingOverrides({ databricks: "dbc-a1b2345c-d6e7.cloud.databricks.com", table: "ml.scores.churn" }).source).toEqual({
      type: "databricks",
      host: "dbc-a1b2345c-d6e7.cloud.databricks.com",
      table: "ml.scores.churn"
    })
    expect(mappingOverrides({ databricks: "env", query: "select 1" }).source).toEqual({ type: "databricks", query: "select 1" })
  })

  it("reads Parquet and JSON files through DuckDB by extension, and a --query over --duckdb paths", () => {
    for (const file of ["scores.parquet", "scores.ndjson", "scores.JSONL", "scores.json", "scores/*.parquet"]) {
      expect(mappingOverrides({ file }).source).toEqual({ type: "duckdb", file: path.resolve(file) })
    }
    expect(mappingOverrides({ file: "scores.csv", duckdb: "." }).source).toEqual({ type: "duckdb", file: path.resolve("scores.csv") })
    expect(mappingOverrides({ duckdb: "scores, lookups/regions.csv", query: "select * from 'scores/*.parquet'" }).source).toEqual({
      type: "duckdb",
      query: "select * from 'scores/*.parquet'",
      paths: [path.resolve("scores"), path.resolve("lookups/regions.csv")]
    })
    expect(mappingOverrides({ duckdb: ".", query: "scores.sql" }).source).toMatchObject({ query: path.resolve("scores.sql") })
    expect(thrown(() => mappingOverrides({ duckdb: "." })).message).toBe(
      "--duckdb <paths> needs a --query to run over them (or read one file with --file)"
    )
    expect(thrown(() => mappingOverrides({ duckdb: " , ", query: "select 1" })).flag).toBe("duckdb")
    expect(thrown(() => mappingOverrides({ duckdb: ".", table: "t" })).flag).toBe("table")
    expect(thrown(() => mappingOverrides({ file: "scores.parquet", delimiter: ";" })).flag).toBe("delimiter")
    expect(thrown(() => mappingOverrides({ file: "scores.parquet", worker: true })).flag).toBe("worker")
  })

  it("reads the delivery and incremental flags", () => {
    expect(deliveryOverrides({ "max-rejects": "5%" }).pipeline).toMatchObject({ maxRejectedShare: 0.05 })
    expect(deliveryOverrides({ "max-rps": "12.5", "min-in-flight": 2, "max-in-flight": 16 }).pipeline).toMatchObject({
      maxRps: 12.5,
      minInFlight: 2,
      maxInFlight: 16
    })
    const incremental = incrementalOverrides({ key: "id", "max-changed": "50%", tolerance: ["score=1%"] })
    expect(incremental.key).toEqual(["id"])
    expect(incremental.incrementalPatch).toEqual({ tolerance: { score: { relative: 0.01 } }, guard: { maxChangedShare: 0.5 } })
  })

  it("fails with a ConfigError carrying the flag at fault", () => {
    expect(thrown(() => mappingOverrides({ table: "t", query: "select 1" })).flag).toBe("table")
    expect(thrown(() => mappingOverrides({ context: "[1]" })).flag).toBe("context")
    expect(thrown(() => deliveryOverrides({ "max-rejects": "many" })).message).toBe('--max-rejects "many": expected a count (100) or a share (5%)')
    expect(thrown(() => deliveryOverrides({ "max-rps": "fast" })).message).toBe(
      '--max-rps "fast": expected requests per second, 0 or more (0: no limit), e.g. 50'
    )
    expect(thrown(() => incrementalOverrides({ key: "*" })).flag).toBe("key")
    expect(thrown(() => incrementalOverrides({ tolerance: ["score=-1"] })).flag).toBe("tolerance")
  })
})

import path from "node:path"
import { describe, expect, it } from "vitest"
import { duckdbSource } from "./adapter.ts"

const parse = (entry: Record<string, unknown>) => duckdbSource.schema.parse({ type: "duckdb", ...entry })

describe("the DuckDB source as a config entry", () => {
  it("names what it reads, and writes its paths relative to the config file's folder", () => {
    const file = parse({ file: "exports/scores.parquet" })
    expect(duckdbSource.readsFrom(file)).toBe("scores.parquet")
    expect(duckdbSource.configEntry(file, "/work", "/work/config").entry).toMatchObject({ file: "../exports/scores.parquet" })
    const query = parse({ query: "models/at_risk.sql", paths: ["/work/exports", "/work"] })
    expect(duckdbSource.readsFrom(query)).toBe("query")
    expect(duckdbSource.configEntry(query, "/work", "/work").entry).toMatchObject({
      query: path.join("models", "at_risk.sql"),
      paths: ["exports", "."]
    })
  })

  it("reads on one DuckDB thread under --low-memory, and refuses an unknown field", () => {
    expect(duckdbSource.oneThread!(parse({ file: "a.parquet" })).threads).toBe(1)
    expect(duckdbSource.schema.safeParse({ type: "duckdb", file: "a.parquet", extensions: ["httpfs"] }).success).toBe(false)
  })
})

import { csvSource } from "@tablecast/source-csv/adapter"
import { describe, expect, it } from "vitest"
import { adaptersFor, type LoadedSourceAdapter, sourceConfigSchema, sourceTypes } from "./SourceRegistry.ts"

describe("the source registry", () => {
  it("names every source, and loads only the one an entry names", async () => {
    expect(sourceTypes).toEqual(["csv", "postgres", "snowflake"])
    expect((await adaptersFor({ type: "postgres", table: "t" })).map((adapter) => adapter.type)).toEqual(["postgres"])
    expect(await adaptersFor({ type: "mysql" })).toEqual([])
    expect(await adaptersFor(undefined)).toEqual([])
  })

  it("checks an entry with its adapter's schema, defaults included", () => {
    const parsed = sourceConfigSchema([csvSource as LoadedSourceAdapter]).parse({ type: "csv", path: "a.csv" })
    expect(parsed).toEqual(csvSource.schema.parse({ type: "csv", path: "a.csv" }))
  })

  it("refuses an unknown type naming every type, as one schema of all the sources did", () => {
    const issues = sourceConfigSchema([]).safeParse({ type: "mysql" }).error?.issues
    expect(issues?.map((issue) => [issue.path, issue.message])).toEqual([[["type"], "Invalid discriminator value. Expected 'csv' | 'postgres' | 'snowflake'"]])
  })

  it("refuses a known type whose adapter was not loaded (a bug, never a silent pass)", () => {
    expect(sourceConfigSchema([]).safeParse({ type: "csv", path: "a.csv" }).success).toBe(false)
  })
})

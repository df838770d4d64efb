import { sourceEntrySchema } from "@tablecast/config"
import { csvSource } from "@tablecast/source-csv/adapter"
import { describe, expect, it } from "vitest"
import { configSources as sourceRegistry } from "./SourceRegistry.ts"
import { adapterOf, sourceTypes } from "./SourceRegistry.ts"

describe("the source registry", () => {
  it("names every source, and loads the one an entry names", async () => {
    expect(sourceTypes).toEqual(["csv", "postgres", "snowflake"])
    expect((await adapterOf({ type: "postgres", table: "t" } as never)).type).toBe("postgres")
  })

  it("checks an entry with its adapter's schema, defaults included", async () => {
    const parsed = (await sourceEntrySchema(sourceRegistry, { type: "csv", path: "a.csv" })).parse({ type: "csv", path: "a.csv" })
    expect(parsed).toEqual(csvSource.schema.parse({ type: "csv", path: "a.csv" }))
  })

  it("refuses an unknown type naming every type, as one schema of all the sources did", async () => {
    const issues = (await sourceEntrySchema(sourceRegistry, { type: "mysql" })).safeParse({ type: "mysql" }).error?.issues
    expect(issues?.map((issue) => [issue.path, issue.message])).toEqual([
      [["type"], "Invalid discriminator value. Expected 'csv' | 'postgres' | 'snowflake'"]
    ])
  })
})

import { describe, expect, it } from "vitest"
import * as z from "zod"
import { sourceEntrySchema, sourceRegistryOf, type SourceRegistry } from "./SourceRegistry.ts"

const CsvEntry = z.object({ type: z.literal("csv"), path: z.string() }).strict()

describe("sourceEntrySchema", () => {
  it("loads only the adapter a source names", async () => {
    const loaded: Array<string> = []
    const registry: SourceRegistry = {
      csv: async () => {
        loaded.push("csv")
        return { type: "csv", schema: CsvEntry }
      },
      postgres: async () => {
        loaded.push("postgres")
        return { type: "postgres", schema: z.object({ type: z.literal("postgres") }) }
      }
    }
    const schema = await sourceEntrySchema(registry, { type: "csv", path: "a.csv" })
    expect(schema.safeParse({ type: "csv", path: "a.csv" }).success).toBe(true)
    expect(loaded).toEqual(["csv"])
  })

  it("names the known types when a source names none of them", async () => {
    const schema = await sourceEntrySchema(sourceRegistryOf([{ type: "csv", schema: CsvEntry }]), { type: "excel" })
    const result = schema.safeParse({ type: "excel" })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(["type"])
    expect(result.error?.issues[0]?.message).toBe("Invalid discriminator value. Expected 'csv'")
  })
})

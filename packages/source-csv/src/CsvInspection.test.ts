import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { csvSource } from "./adapter.ts"
import { inspectCsv } from "./CsvInspection.ts"

const fileOf = (text: string) => {
  const dir = mkdtempSync(join(tmpdir(), "tablecast-inspect-"))
  writeFileSync(join(dir, "scores.csv"), text)
  return { dir, file: join(dir, "scores.csv") }
}

describe("inspectCsv", () => {
  it("judges each column from the rows scanned, and counts rows that repeat an earlier one", async () => {
    const { file } = fileOf("id,score,tier\n1,0.5,gold\n2,0.7,\n2,0.7,\n3,1,silver\n")
    const description = await Effect.runPromise(inspectCsv({ path: file }, { samples: 2, scanRows: 100 }))
    expect(description.columns.map((c) => [c.name, c.kind, c.nullable, c.unique])).toEqual([
      ["id", "number", false, false],
      ["score", "number", false, false],
      // Empty values do not count against uniqueness.
      ["tier", "string", true, true]
    ])
    expect(description.columns[0]!.samples).toEqual(["1", "2"])
    expect(description.repeats).toEqual({ scanned: 4, repeated: 1 })
  })

  it("reads only --scan-rows rows", async () => {
    const { file } = fileOf("id\n1\n2\n3\n")
    const description = await Effect.runPromise(inspectCsv({ path: file }, { samples: 5, scanRows: 2 }))
    expect(description.repeats?.scanned).toBe(2)
    expect(description.columns[0]!.unique).toBe(true)
  })
})

describe("csvSource (the adapter)", () => {
  it("reads a path relative to the config file's folder", async () => {
    const { dir } = fileOf("id\n7\n")
    const config = csvSource.schema.parse({ type: "csv", path: "scores.csv" })
    const description = await Effect.runPromise(csvSource.describe(config, dir, {}, { samples: 1, scanRows: 10 }))
    expect(description.columns.map((c) => c.name)).toEqual(["id"])
  })

  it("reads on one thread when asked (memory before speed), the rest of the entry as it was", () => {
    const config = csvSource.schema.parse({ type: "csv", path: "scores.csv", worker: true })
    expect(csvSource.oneThread?.(config)).toEqual({ ...config, worker: false })
  })

  it("names a proposed sync after the file, and writes its path relative to the config file", () => {
    const config = csvSource.schema.parse({ type: "csv", path: "data/scores.csv" })
    expect(csvSource.readsFrom(config)).toBe("scores.csv")
    expect(csvSource.configEntry(config, "/work/project", "/work/project/config").entry.path).toBe("../data/scores.csv")
  })

  it("refuses fields a CSV source does not have", () => {
    expect(csvSource.schema.safeParse({ type: "csv", path: "a.csv", table: "t" }).success).toBe(false)
  })
})

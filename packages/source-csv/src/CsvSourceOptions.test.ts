import { availableParallelism } from "node:os"
import { describe, expect, it } from "vitest"
import { columnNameProblems } from "./ColumnNames.ts"
import { CsvSourceOptions, workerFits } from "./CsvSourceOptions.ts"

describe("CsvSourceOptions", () => {
  it("fills in the defaults", () => {
    expect(CsvSourceOptions.parse({ path: "a.csv" })).toEqual({
      path: "a.csv",
      delimiter: ",",
      quote: '"',
      header: true,
      skipEmptyLines: true,
      worker: workerFits(availableParallelism(), process.constrainedMemory()),
      encoding: "utf-8"
    })
  })

  it("reads in a worker thread by default only with two cores or more and 512 MiB or more (or no limit)", () => {
    const MiB = 2 ** 20
    expect(workerFits(2, undefined)).toBe(true)
    expect(workerFits(8, 0)).toBe(true)
    expect(workerFits(2, 2 ** 64)).toBe(true)
    expect(workerFits(2, 512 * MiB)).toBe(true)
    expect(workerFits(2, 511 * MiB)).toBe(false)
    expect(workerFits(1, undefined)).toBe(false)
    expect(CsvSourceOptions.parse({ path: "a.csv", worker: true }).worker).toBe(true)
    expect(CsvSourceOptions.parse({ path: "a.csv", worker: false }).worker).toBe(false)
  })

  it("takes 'tab' or a written \\t for a tab delimiter", () => {
    for (const delimiter of ["tab", "\\t", "\t"]) {
      expect(CsvSourceOptions.parse({ path: "a.tsv", delimiter }).delimiter).toBe("\t")
    }
  })

  it("refuses what cannot work, naming the option", () => {
    const issues = (input: unknown) => CsvSourceOptions.safeParse(input).error?.issues.map((issue) => [issue.path.join("."), issue.message])
    expect(issues({ path: "a.csv", header: false })).toEqual([["columns", "a file without a header row needs `columns` to name its columns"]])
    expect(issues({ path: "a.csv", columns: ["id", "id", ""] })).toEqual([
      ["columns", '"id" names both column 1 and column 2'],
      ["columns", "column 3 has an empty name"]
    ])
    expect(issues({ path: "a.csv", encoding: "utf-16" })?.[0]?.[0]).toBe("encoding")
    expect(issues({ path: "a.csv", quote: "''" })?.[0]).toEqual(["quote", "the quote must be one character"])
    expect(issues({ path: "a.csv", sheet: 1 })?.[0]?.[1]).toContain("sheet")
    expect(issues({ path: "" })?.[0]).toEqual(["path", "a CSV source needs a file path"])
  })

  it("names every empty, repeated or unusable column name", () => {
    expect(columnNameProblems(["a", "b"])).toEqual([])
    expect(columnNameProblems(["a", "", "a", "__proto__"])).toEqual([
      "column 2 has an empty name",
      '"a" names both column 1 and column 3',
      'column 4 cannot be named "__proto__"'
    ])
  })
})

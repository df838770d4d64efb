import path from "node:path"
import { describe, expect, it } from "vitest"
import { formatOf, readerSql } from "./DuckDBTarget.ts"

describe("a file's reader", () => {
  it("is told by the extension, or by the format given", () => {
    expect(formatOf("/d/scores.parquet", undefined)).toBe("parquet")
    expect(formatOf("/d/scores.JSONL", undefined)).toBe("ndjson")
    expect(formatOf("/d/scores.ndjson", undefined)).toBe("ndjson")
    expect(formatOf("/d/scores.json", undefined)).toBe("json")
    expect(formatOf("/d/scores.tsv", undefined)).toBe("csv")
    expect(formatOf("/d/scores.txt", undefined)).toBeUndefined()
    expect(formatOf("/d/scores.txt", "csv")).toBe("csv")
  })

  it("quotes the path as a string literal, whatever it holds", () => {
    const file = path.join("/d", "o'brien's scores.parquet")
    expect(readerSql(file, "parquet")).toBe("SELECT * FROM read_parquet('/d/o''brien''s scores.parquet')")
    expect(readerSql("/d/a.ndjson", "ndjson")).toBe("SELECT * FROM read_json('/d/a.ndjson', format = 'newline_delimited')")
  })
})

import { describe, expect, it } from "vitest"
import { parseTableName, quoteTableName, TableNameError } from "./TableName.ts"

describe("parseTableName", () => {
  it("folds unquoted names to lower case, as Postgres does", () => {
    expect(parseTableName("Analytics.Orders")).toEqual({ schema: "analytics", name: "orders" })
    expect(parseTableName("orders")).toEqual({ schema: undefined, name: "orders" })
  })

  it("keeps quoted identifiers verbatim, with doubled quotes and dots inside", () => {
    expect(parseTableName('"My Schema"."Weird ""Table"" name"')).toEqual({
      schema: "My Schema",
      name: 'Weird "Table" name'
    })
    expect(parseTableName('"a.b".c')).toEqual({ schema: "a.b", name: "c" })
  })

  it("reads SQL in a name as part of an identifier, which quoting keeps out of the SQL", () => {
    const table = parseTableName("x; drop table y")
    expect(table).toEqual({ schema: undefined, name: "x; drop table y" })
    expect(quoteTableName(table)).toBe('"x; drop table y"')
    expect(quoteTableName(parseTableName('"x""; drop table y; --"'))).toBe('"x""; drop table y; --"')
  })

  it("rejects malformed names with a reason", () => {
    expect(() => parseTableName('"unclosed')).toThrow(TableNameError)
    expect(() => parseTableName("a..b")).toThrow(/empty part/)
    expect(() => parseTableName("a.b.c")).toThrow(/3 parts/)
    expect(() => parseTableName('"a"b')).toThrow(/unexpected text/)
    expect(() => parseTableName("")).toThrow(/empty part/)
  })
})

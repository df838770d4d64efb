import { describe, expect, it } from "vitest"
import { parseTableName, quoteTableName, TableNameError } from "./TableName.ts"

describe("parseTableName", () => {
  it("folds unquoted names to upper case, as Snowflake does", () => {
    expect(parseTableName("analytics.order_completed")).toEqual({ database: undefined, schema: "ANALYTICS", name: "ORDER_COMPLETED" })
    expect(parseTableName("shop.analytics.Orders")).toEqual({ database: "SHOP", schema: "ANALYTICS", name: "ORDERS" })
  })

  it("keeps quoted identifiers verbatim", () => {
    expect(parseTableName('"My Schema"."Weird ""Table"" name"')).toEqual({
      database: undefined,
      schema: "My Schema",
      name: 'Weird "Table" name'
    })
  })

  it("reads SQL in a name as part of an identifier, which quoting keeps out of the SQL", () => {
    expect(quoteTableName(parseTableName("x; drop table y"))).toBe('"X; DROP TABLE Y"')
    expect(quoteTableName(parseTableName('"x""; drop table y; --"'))).toBe('"x""; drop table y; --"')
  })

  it("rejects malformed names", () => {
    expect(() => parseTableName('"unclosed')).toThrow(TableNameError)
    expect(() => parseTableName("a.b.c.d")).toThrow(/4 parts/)
  })
})

import { describe, expect, it } from "vitest"
import { parseTableName, quoteTableName } from "./SnowflakeTableName.ts"

describe("Snowflake table names", () => {
  it("fold unquoted parts to upper case and have up to three parts", () => {
    expect(quoteTableName(parseTableName('shop.Analytics."Order Items"'))).toBe('"SHOP"."ANALYTICS"."Order Items"')
    expect(() => parseTableName("a.b.c.d")).toThrow(/4 parts; write name, schema\.name or database\.schema\.name/)
  })
})

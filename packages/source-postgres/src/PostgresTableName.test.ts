import { describe, expect, it } from "vitest"
import { parseTableName, quoteTableName } from "./PostgresTableName.ts"

describe("Postgres table names", () => {
  it("fold unquoted parts to lower case and have at most two parts", () => {
    expect(quoteTableName(parseTableName('Analytics."Order Items"'))).toBe('"analytics"."Order Items"')
    expect(() => parseTableName("shop.analytics.orders")).toThrow(/3 parts; write name or schema\.name/)
  })
})

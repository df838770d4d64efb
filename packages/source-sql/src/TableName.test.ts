import { describe, expect, it } from "vitest"
import { TableNameError, tableNameSyntax } from "./TableName.ts"

// The two syntaxes of the sources: Postgres (lower case, schema.name) and Snowflake (upper case,
// database.schema.name).
const postgres = tableNameSyntax({ dialect: "Postgres", fold: "lower", parts: 2 })
const snowflake = tableNameSyntax({ dialect: "Snowflake", fold: "upper", parts: 3 })

describe("a two-part syntax folding to lower case (Postgres)", () => {
  it("folds unquoted names to lower case, as Postgres does", () => {
    expect(postgres.parse("Analytics.Orders")).toStrictEqual({ schema: "analytics", name: "orders" })
    expect(postgres.parse("orders")).toStrictEqual({ schema: undefined, name: "orders" })
  })

  it("keeps quoted identifiers verbatim, with doubled quotes and dots inside", () => {
    expect(postgres.parse('"My Schema"."Weird ""Table"" name"')).toStrictEqual({
      schema: "My Schema",
      name: 'Weird "Table" name'
    })
    expect(postgres.parse('"a.b".c')).toStrictEqual({ schema: "a.b", name: "c" })
  })

  it("reads SQL in a name as part of an identifier, which quoting keeps out of the SQL", () => {
    const table = postgres.parse("x; drop table y")
    expect(table).toStrictEqual({ schema: undefined, name: "x; drop table y" })
    expect(postgres.quote(table)).toBe('"x; drop table y"')
    expect(postgres.quote(postgres.parse('"x""; drop table y; --"'))).toBe('"x""; drop table y; --"')
  })

  it("rejects malformed names with a reason", () => {
    expect(() => postgres.parse('"unclosed')).toThrow(TableNameError)
    expect(() => postgres.parse('"unclosed')).toThrow(
      expect.objectContaining({ _tag: "TableNameError", name: "TableNameError", message: 'unclosed double quote in table name "\\"unclosed"' })
    )
    expect(() => postgres.parse("a..b")).toThrow(/empty part/)
    expect(() => postgres.parse("a.b.c")).toThrow('table name "a.b.c" has 3 parts; write name or schema.name')
    expect(() => postgres.parse('"a"b')).toThrow(/unexpected text/)
    expect(() => postgres.parse("")).toThrow(/empty part/)
  })

  it("formats a name to give back as the table option: bare where it reads back the same", () => {
    expect(postgres.format({ schema: "analytics", name: "High Risk" })).toBe('analytics."High Risk"')
    expect(postgres.format({ schema: "Analytics", name: "orders" })).toBe('"Analytics".orders')
    expect(postgres.quote({ schema: "analytics", name: "orders" })).toBe('"analytics"."orders"')
  })
})

describe("a three-part syntax folding to upper case (Snowflake)", () => {
  it("folds unquoted names to upper case, as Snowflake does", () => {
    expect(snowflake.parse("analytics.order_completed")).toStrictEqual({ database: undefined, schema: "ANALYTICS", name: "ORDER_COMPLETED" })
    expect(snowflake.parse("shop.analytics.Orders")).toStrictEqual({ database: "SHOP", schema: "ANALYTICS", name: "ORDERS" })
    expect(snowflake.parse("orders")).toStrictEqual({ database: undefined, schema: undefined, name: "ORDERS" })
  })

  it("keeps quoted identifiers verbatim", () => {
    expect(snowflake.parse('"My Schema"."Weird ""Table"" name"')).toStrictEqual({
      database: undefined,
      schema: "My Schema",
      name: 'Weird "Table" name'
    })
  })

  it("reads SQL in a name as part of an identifier, which quoting keeps out of the SQL", () => {
    expect(snowflake.quote(snowflake.parse("x; drop table y"))).toBe('"X; DROP TABLE Y"')
    expect(snowflake.quote(snowflake.parse('"x""; drop table y; --"'))).toBe('"x""; drop table y; --"')
    expect(snowflake.quote(snowflake.parse("shop.analytics.orders"))).toBe('"SHOP"."ANALYTICS"."ORDERS"')
  })

  it("rejects malformed names", () => {
    expect(() => snowflake.parse('"unclosed')).toThrow(TableNameError)
    expect(() => snowflake.parse("a.b.c.d")).toThrow('table name "a.b.c.d" has 4 parts; write name, schema.name or database.schema.name')
  })

  it("formats a name to give back as the table option: bare where it reads back the same", () => {
    expect(snowflake.format({ database: undefined, schema: "SF_TEST", name: "Top Customers" })).toBe('SF_TEST."Top Customers"')
    expect(snowflake.format({ database: undefined, schema: "sf_test", name: "RFM_SCORES" })).toBe('"sf_test".RFM_SCORES')
  })
})

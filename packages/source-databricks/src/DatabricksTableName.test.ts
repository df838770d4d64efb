import { describe, expect, it } from "vitest"
import { parseTableName, quoteTableName } from "./DatabricksTableName.ts"

describe("Databricks table names", () => {
  it("reads one, two or three parts; unquoted parts fold to lower case, backticked ones keep their text", () => {
    expect(parseTableName("Churn")).toEqual({ database: undefined, schema: undefined, name: "churn" })
    expect(parseTableName("ML.Scores")).toEqual({ database: undefined, schema: "ml", name: "scores" })
    expect(parseTableName("main.`ML Scores`.`a``b.c`")).toEqual({ database: "main", schema: "ML Scores", name: "a`b.c" })
  })

  it("quotes every part, so a name never becomes SQL", () => {
    const table = parseTableName("main.`x`` ; DROP TABLE y; --`.t")
    expect(quoteTableName(table)).toBe("`main`.`x`` ; DROP TABLE y; --`.`t`")
    expect(parseTableName(quoteTableName(table))).toEqual(table)
  })

  it("refuses four parts, empty parts and unclosed backticks, saying why", () => {
    expect(() => parseTableName("a.b.c.d")).toThrow(/4 parts; write name, schema.name or catalog.schema.name/)
    expect(() => parseTableName("a..b")).toThrow(/empty part/)
    expect(() => parseTableName("`a.b")).toThrow(/unclosed backtick/)
  })
})

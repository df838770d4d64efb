import { describe, expect, it } from "vitest"
import { translateSql } from "./SqlTranslator.ts"

describe("GoogleSQL paths for DuckDB", () => {
  it("turns backquoted paths into schema-qualified names and lists the tables", () => {
    expect(translateSql("SELECT * FROM `p-1.scores.churn` JOIN `scores`.`x` USING (id)")).toEqual({
      sql: 'SELECT * FROM "scores"."churn" JOIN "scores"."x" USING (id)',
      tables: ["scores.churn", "scores.x"]
    })
  })

  it("leaves string literals alone, backslash escapes included", () => {
    expect(translateSql('SELECT \'a`b\', "c\\"`d" FROM `s.t`').sql).toBe('SELECT \'a`b\', "c\\"`d" FROM "s"."t"')
  })
})

import { describe, expect, it } from "vitest"
import { countStatements, statementCountError } from "./StatementCount.ts"

describe("countStatements", () => {
  it("counts statements as Snowflake does, ignoring semicolons in strings, identifiers, bodies and comments", () => {
    expect(countStatements("SELECT 1")).toBe(1)
    expect(countStatements("SELECT 1; ")).toBe(1)
    expect(countStatements("SELECT 1; -- done")).toBe(1)
    expect(countStatements("SELECT ';', \"a;b\", $$;$$ // ;\n/* ; */")).toBe(1)
    expect(countStatements("SELECT 'it\\'s; here'")).toBe(1)
    expect(countStatements("select 1; commit; begin; delete from victim; commit")).toBe(5)
    expect(countStatements("select 1 /* */; delete from victim")).toBe(2)
  })
})

describe("statementCountError", () => {
  it("answers Snowflake's error 000008 when several statements arrive with a count of 1 (the default)", () => {
    expect(statementCountError("SELECT 1; DELETE FROM victim", 1)).toEqual({
      code: "000008",
      sqlState: "0A000",
      message: "Actual statement count 2 did not match the desired statement count 1."
    })
    expect(statementCountError("SELECT 1; DELETE FROM victim", undefined)?.code).toBe("000008")
    expect(statementCountError("SELECT 1;", 1)).toBeUndefined()
    expect(statementCountError("SELECT 1; SELECT 2", 0)).toBeUndefined()
    expect(statementCountError("SELECT 1; SELECT 2", 2)).toBeUndefined()
  })
})

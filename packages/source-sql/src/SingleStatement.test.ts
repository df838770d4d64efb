import { describe, expect, it } from "vitest"
import { POSTGRES_LEXICON, singleStatement, SNOWFLAKE_LEXICON } from "./SingleStatement.ts"

const postgres = (sql: string) => singleStatement(sql, POSTGRES_LEXICON)
const snowflake = (sql: string) => singleStatement(sql, SNOWFLAKE_LEXICON)
const refusedReason = (result: ReturnType<typeof postgres>): string => {
  if (result._tag !== "Refused") throw new Error(`expected a refusal, got ${JSON.stringify(result)}`)
  return result.reason
}

describe("singleStatement", () => {
  it("keeps one reading statement, without its closing semicolon and what follows it", () => {
    expect(postgres("SELECT 1")).toEqual({ _tag: "Statement", sql: "SELECT 1" })
    expect(postgres("  select 1 ;  -- done\n /* really */ ;\n")).toEqual({ _tag: "Statement", sql: "  select 1" })
    expect(postgres("WITH a AS (SELECT 1) SELECT * FROM a")._tag).toBe("Statement")
    expect(postgres("VALUES (1), (2)")._tag).toBe("Statement")
    expect(postgres("TABLE analytics.orders")._tag).toBe("Statement")
    expect(postgres("((SELECT 1) UNION (SELECT 2))")._tag).toBe("Statement")
    expect(postgres("/* leading; comment */ -- and; this\nSELECT 1")._tag).toBe("Statement")
  })

  it("finds no end in a semicolon inside a string, an identifier, a dollar-quoted body or a comment", () => {
    for (const sql of [
      "SELECT 'a; commit; begin read write; delete from victim' AS s",
      "SELECT 'it''s; here' AS s",
      'SELECT 1 AS "x; y"',
      'SELECT 1 AS "x""; delete"',
      "SELECT $$; delete from victim;$$ AS body",
      "SELECT $fn$ ; $$ ; $fn$ AS body",
      "SELECT E'\\'; delete from victim' AS s",
      "SELECT 1 /* outer /* inner; */ still; comment */",
      "SELECT 1 -- ; delete from victim"
    ]) {
      expect(postgres(sql), sql).toEqual({ _tag: "Statement", sql })
    }
  })

  it("refuses a second statement, whatever hides the semicolon before it", () => {
    for (const sql of [
      "select 1 as id; commit; begin read write; delete from victim; commit",
      "select 1; delete from victim",
      "select 1 /* */; delete from victim",
      "select 'a;b'; set transaction read write",
      "select 1; rollback; delete from victim",
      // Postgres: a backslash does not escape the quote of a standard string.
      "select 'a\\'; delete from victim; select '",
      "select $1 ; delete from victim",
      "select a$b ; delete from victim"
    ]) {
      expect(refusedReason(postgres(sql)), sql).toMatch(/^holds more than one statement: ".+" follows the ";" at line 1, column \d+$/)
    }
    expect(refusedReason(postgres("select 1;\n  commit"))).toBe('holds more than one statement: "commit" follows the ";" at line 1, column 9')
  })

  it("refuses a statement that does not read", () => {
    expect(refusedReason(postgres("delete from victim"))).toBe(
      'must be a single SELECT, WITH, VALUES or TABLE statement, not "delete" (line 1, column 1)'
    )
    expect(refusedReason(postgres("/* hi */ COMMIT"))).toContain('not "COMMIT"')
    expect(refusedReason(postgres("set transaction read write"))).toContain('not "set"')
    expect(refusedReason(postgres("EXPLAIN SELECT 1"))).toContain('not "EXPLAIN"')
    expect(refusedReason(postgres(" -- nothing\n"))).toBe("holds no statement")
  })

  it("lexes Snowflake's strings, comments and $$ bodies as Snowflake does", () => {
    // A backslash escapes a quote in every Snowflake string.
    expect(snowflake("SELECT 'a\\'; delete from victim' AS s")._tag).toBe("Statement")
    expect(snowflake("SELECT 1 // trailing; comment")._tag).toBe("Statement")
    expect(snowflake("SELECT $$ ; $$ AS body")._tag).toBe("Statement")
    expect(refusedReason(snowflake("SELECT 1; DELETE FROM victim"))).toContain("more than one statement")
    expect(refusedReason(snowflake("select $1 from @stage; delete from victim"))).toContain("more than one statement")
  })
})

import { describe, expect, it } from "vitest"
import { toDuckDBSql } from "./SqlTranslator.ts"

describe("toDuckDBSql", () => {
  it("turns backticked names into double-quoted ones, a doubled backtick into one", () => {
    expect(toDuckDBSql('SELECT * FROM `main`.`my schema`.`a``b"c`')).toBe('SELECT * FROM "main"."my schema"."a`b""c"')
  })
  it("leaves string literals and double-quoted names alone", () => {
    expect(toDuckDBSql("SELECT '`x`', 'it''s `y`' FROM \"t `z`\"")).toBe("SELECT '`x`', 'it''s `y`' FROM \"t `z`\"")
  })
})

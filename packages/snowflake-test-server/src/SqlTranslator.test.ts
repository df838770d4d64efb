import { describe, expect, it } from "vitest"
import { translateSql } from "./SqlTranslator.ts"

describe("translateSql", () => {
  it("lower-cases upper-case quoted identifiers and keeps mixed-case ones", () => {
    expect(translateSql('SELECT * FROM "ANALYTICS"."ORDER_COMPLETED"').sql).toBe('SELECT * FROM "analytics"."order_completed"')
    expect(translateSql('SELECT * FROM "My Schema"."Weird ""T"""').sql).toBe('SELECT * FROM "My Schema"."Weird ""T"""')
  })

  it("numbers bind markers and leaves string literals and comments alone", () => {
    expect(translateSql("SELECT * FROM t WHERE a = ? AND b = ? -- what?\nAND c = '?'")).toEqual({
      sql: "SELECT * FROM t WHERE a = $1 AND b = $2 -- what?\nAND c = '?'",
      binds: 2
    })
    expect(translateSql("SELECT :1, x::int").sql).toBe("SELECT $1, x::int")
    // A doubled quote stays inside its literal; a literal never closed runs to the end.
    expect(translateSql("SELECT 'it''s ?', ?, 'never closed ?").sql).toBe("SELECT 'it''s ?', $1, 'never closed ?")
  })

  it("rewrites Snowflake functions with nested arguments (nested constructs stay plain jsonb)", () => {
    expect(translateSql("SELECT OBJECT_CONSTRUCT('a', 1, 'b', ARRAY_CONSTRUCT(1, 'x)'))").sql).toBe(
      "SELECT sf.object(jsonb_build_object('a', 1, 'b', jsonb_build_array(1, 'x)')))"
    )
    expect(translateSql("select parse_json('{\"a\": 1}') AS v, SYSTEM$WAIT(1)").sql).toBe("select ('{\"a\": 1}')::jsonb AS v, sf.system_wait(1)")
    expect(translateSql("SELECT TO_TIMESTAMP_TZ('2024-01-01 10:00:00 +05:30')").sql).toBe(
      "SELECT sf.to_timestamp_tz('2024-01-01 10:00:00 +05:30')"
    )
  })

  it("maps casts and INFORMATION_SCHEMA views", () => {
    expect(translateSql("SELECT x::VARIANT, y::TIMESTAMP_NTZ, z :: number(10,2) FROM INFORMATION_SCHEMA.TABLES").sql).toBe(
      "SELECT x::jsonb, y::timestamp, z ::numeric(10,2) FROM sf.information_schema_tables"
    )
  })
})

import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describe, expect, it } from "vitest"
import { resolveTarget, trimQuery } from "./ReadTarget.ts"
import { tableNameSyntax } from "./TableName.ts"

const postgres = tableNameSyntax({ dialect: "Postgres", fold: "lower", parts: 2 })
const snowflake = tableNameSyntax({ dialect: "Snowflake", fold: "upper", parts: 3 })

const failure = async (effect: Effect.Effect<unknown, { readonly message: string; readonly code?: string }>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((candidate) => candidate._tag === "Fail")
  if (reason === undefined) throw new Error(`expected a failure, got ${String(exit.cause)}`)
  return reason.error
}

describe("resolveTarget", () => {
  it("reads a table by its quoted name, in the database's case", async () => {
    expect(await Effect.runPromise(resolveTarget(postgres, { table: "Analytics.Orders" }))).toEqual({
      _tag: "Table",
      table: { schema: "analytics", name: "orders" },
      quoted: '"analytics"."orders"',
      sql: 'SELECT * FROM "analytics"."orders"',
      label: 'table "analytics"."orders"'
    })
    const target = await Effect.runPromise(resolveTarget(snowflake, { table: "shop.analytics.orders" }))
    expect(target.sql).toBe('SELECT * FROM "SHOP"."ANALYTICS"."ORDERS"')
  })

  it("reads a query as text without its trailing semicolons, labelled by its first line", async () => {
    expect(await Effect.runPromise(resolveTarget(postgres, { query: "SELECT 1 AS one\nFROM x;;  \n" }))).toEqual({
      _tag: "Query",
      sql: "SELECT 1 AS one\nFROM x",
      label: 'query "SELECT 1 AS one"',
      file: undefined
    })
    expect(trimQuery("  SELECT 2 ; ")).toBe("SELECT 2")
  })

  it("reads a query from a .sql file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tablecast-target-")), "scores.sql")
    writeFileSync(file, "SELECT * FROM scores;\n")
    expect(await Effect.runPromise(resolveTarget(snowflake, { query: file }))).toEqual({
      _tag: "Query",
      sql: "SELECT * FROM scores",
      label: `query ${file}`,
      file
    })
  })

  it("fails with the dialect's name and a config or not-found code", async () => {
    expect(await failure(resolveTarget(postgres, { table: "a.b.c" }))).toMatchObject({
      message: 'Postgres: table name "a.b.c" has 3 parts; write name or schema.name',
      code: "config"
    })
    expect(await failure(resolveTarget(snowflake, { query: " ; " }))).toMatchObject({
      message: "Snowflake: the query is empty",
      code: "config"
    })
    const missing = join(tmpdir(), "tablecast-no-such-dir", "missing.sql")
    expect(await failure(resolveTarget(snowflake, { query: missing }))).toMatchObject({ code: "not-found" })
  })

  it("refuses a query of several statements, or one that does not read, naming --query", async () => {
    expect(
      await failure(resolveTarget(postgres, { query: "select 1 as id; commit; begin read write; delete from victim; commit" }))
    ).toMatchObject({
      message:
        'Postgres: the query (--query) holds more than one statement: "commit; begin read write; delete from..." follows the ";" at line 1, column 15; tablecast runs exactly one statement that reads, in a read-only transaction',
      code: "config"
    })
    expect(await failure(resolveTarget(snowflake, { query: "DELETE FROM victim" }))).toMatchObject({
      message: expect.stringContaining('Snowflake: the query (--query) must be a single SELECT, WITH, VALUES or TABLE statement, not "DELETE"'),
      code: "config"
    })
    const dir = mkdtempSync(join(tmpdir(), "tablecast-target-"))
    const file = join(dir, "two.sql")
    writeFileSync(file, "SELECT 1;\nDROP TABLE victim;\n")
    expect((await failure(resolveTarget(postgres, { query: file }))).message).toContain(
      `the query file ${file} (--query) holds more than one statement`
    )
  })
})

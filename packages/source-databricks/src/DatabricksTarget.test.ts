import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describe, expect, it } from "vitest"
import { maskBacktickNames, resolveDatabricksTarget } from "./DatabricksTarget.ts"

const resolve = (options: { table?: string; query?: string }) => Effect.runSyncExit(resolveDatabricksTarget(options))
const sqlOf = (options: { table?: string; query?: string }) => {
  const exit = resolve(options)
  if (Exit.isFailure(exit)) throw new Error(String(exit.cause))
  return exit.value.sql
}
const refusal = (query: string) => {
  const exit = resolve({ query })
  if (Exit.isSuccess(exit)) throw new Error(`accepted: ${exit.value.sql}`)
  return String(exit.cause)
}

describe("Databricks read targets", () => {
  it("blanks out backticked names, keeping the length", () => {
    expect(maskBacktickNames("SELECT `a;b` FROM `x``'y`")).toBe("SELECT `___` FROM `_____`")
    expect(maskBacktickNames("SELECT '`;' AS `q` -- `")).toBe("SELECT '`;' AS `_` -- `")
    expect(maskBacktickNames("SELECT /* /* ` */ ` */ `ab`")).toBe("SELECT /* /* ` */ ` */ `__`")
  })

  it("a name holding ; or a quote is one statement, sent as written", () => {
    expect(sqlOf({ query: "SELECT `a;b` AS `it's` FROM t;" })).toBe("SELECT `a;b` AS `it's` FROM t")
  })

  it("a quote in a name hides no second statement from the check", () => {
    expect(refusal("SELECT 1 AS `'`; DROP TABLE t; SELECT '`'")).toMatch(/one statement that reads/)
    expect(refusal("SELECT 1 /* ` */; DROP TABLE t -- `")).toMatch(/one statement that reads/)
    expect(refusal("DELETE FROM t")).toMatch(/not "DELETE"/)
  })

  it("reads a .sql file, and quotes a table part by part", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "tablecast-dbx-target-"))
    const file = path.join(folder, "churn.sql")
    writeFileSync(file, "-- scores\nSELECT * FROM main.ml.churn;\n")
    expect((await Effect.runPromise(resolveDatabricksTarget({ query: file }))).sql).toBe("-- scores\nSELECT * FROM main.ml.churn")
    expect(sqlOf({ table: "main.ml.Churn" })).toBe("SELECT * FROM `main`.`ml`.`churn`")
  })
})

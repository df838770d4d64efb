import { readFile } from "node:fs/promises"
import { SourceError } from "@tablecast/core"
import { type ReadTarget, resolveTarget, singleStatement, type SqlLexicon, trimQuery } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import { DatabricksTableName, type TableName } from "./DatabricksTableName.ts"

/** Spark SQL: a backslash escapes in every string, bracketed comments nest, no dollar quoting. */
export const DATABRICKS_LEXICON: SqlLexicon = {
  backslashInStrings: true,
  escapeStrings: false,
  dollarTags: false,
  nestedComments: true,
  slashComments: false
}

/**
 * The SQL with the inside of every backticked name blanked out (same length): the statement check
 * knows no backticks, and a quote or `;` in a name must neither end the statement nor hide the rest
 * of the text from the check (`` SELECT 1 AS `'`; DROP … ``).
 */
export const maskBacktickNames = (sql: string): string => {
  let out = ""
  let index = 0
  while (index < sql.length) {
    const char = sql[index]!
    if (char === "'" || char === '"') {
      // A string: copied as is up to its end, so a backtick inside starts nothing.
      let end = index + 1
      while (end < sql.length && sql[end] !== char) end += sql[end] === "\\" ? 2 : 1
      out += sql.slice(index, end + 1)
      index = end + 1
    } else if (char === "-" && sql[index + 1] === "-") {
      const end = sql.indexOf("\n", index)
      const stop = end === -1 ? sql.length : end
      out += sql.slice(index, stop)
      index = stop
    } else if (char === "/" && sql[index + 1] === "*") {
      // A bracketed comment (they nest in Spark SQL): copied as is, so a backtick inside starts nothing.
      let depth = 0
      let end = index
      do {
        if (sql.startsWith("/*", end)) {
          depth += 1
          end += 2
        } else if (sql.startsWith("*/", end)) {
          depth -= 1
          end += 2
        } else end += 1
      } while (depth > 0 && end < sql.length)
      out += sql.slice(index, end)
      index = end
    } else if (char === "`") {
      let end = index + 1
      for (;;) {
        if (end >= sql.length) break
        if (sql[end] === "`" && sql[end + 1] === "`") end += 2
        else if (sql[end] === "`") break
        else end += 1
      }
      out += `\`${"_".repeat(Math.max(0, Math.min(end, sql.length) - index - 1))}${end < sql.length ? "`" : ""}`
      index = end + 1
    } else {
      out += char
      index += 1
    }
  }
  return out
}

const firstLine = (sql: string): string => {
  const line = sql.split("\n", 1)[0]!.trim()
  return line.length > 60 ? `${line.slice(0, 57)}...` : line
}

const configError = (message: string) => new SourceError({ message: `Databricks: ${message}`, code: "config" })

/**
 * A `table` (quoted part by part) or a `query` (text or a `.sql` file) checked to be one statement
 * that reads, backticked names and all.
 */
export const resolveDatabricksTarget = (options: {
  readonly table?: string | undefined
  readonly query?: string | undefined
}): Effect.Effect<ReadTarget<TableName>, SourceError> =>
  Effect.gen(function* () {
    if (options.table !== undefined) return yield* resolveTarget(DatabricksTableName, { table: options.table }, DATABRICKS_LEXICON)
    const query = (options.query ?? "").trim()
    const file = /^\S+\.sql$/i.test(query) ? query : undefined
    const text =
      file === undefined
        ? query
        : yield* Effect.tryPromise({
            try: () => readFile(file, "utf8"),
            catch: (error) =>
              new SourceError({
                message: `Databricks: cannot read query file ${file}: ${error instanceof Error ? error.message : String(error)}`,
                code: "not-found"
              })
          })
    const sql = trimQuery(text)
    if (sql === "") return yield* configError(file === undefined ? "the query is empty" : `query file ${file} is empty`)
    const checked = singleStatement(maskBacktickNames(sql), DATABRICKS_LEXICON)
    if (checked._tag === "Refused") {
      return yield* configError(
        `the ${file === undefined ? "query" : `query file ${file}`} (--query) ${checked.reason}; tablecast runs exactly one statement that reads`
      )
    }
    // The masked text has the original's length: the statement is the same prefix of it.
    const statement = sql.slice(0, checked.sql.length)
    return { _tag: "Query", sql: statement, label: file === undefined ? `query "${firstLine(statement)}"` : `query ${file}`, file } as const
  })

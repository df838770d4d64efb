import { readFile } from "node:fs/promises"
import { SourceError } from "@tablecast/core"
import { Effect } from "effect"
import { parseTableName, quoteTableName, type TableName, TableNameError } from "./TableName.ts"

/** What to read: a table (always by quoted identifiers) or the user's query, as one SELECT. */
export type ReadTarget =
  | {
      readonly _tag: "Table"
      readonly table: TableName
      /** The table as quoted SQL, e.g. `"ANALYTICS"."ORDERS"`. */
      readonly quoted: string
      readonly sql: string
      readonly label: string
    }
  | { readonly _tag: "Query"; readonly sql: string; readonly label: string; readonly file: string | undefined }

/** A `query` that is a path to a `.sql` file (one word ending in .sql) rather than SQL text. */
const SQL_FILE = /^\S+\.sql$/i

/** The query without trailing semicolons and blanks (it is embedded in other statements). */
export const trimQuery = (sql: string): string => sql.replace(/[\s;]+$/u, "").trim()

const firstLine = (sql: string): string => {
  const line = sql.split("\n", 1)[0]!.trim()
  return line.length > 60 ? `${line.slice(0, 57)}...` : line
}

/** Resolves `table` or `query` (text or `.sql` file) into the SQL that reads it. */
export const resolveTarget = (options: {
  readonly table?: string | undefined
  readonly query?: string | undefined
}): Effect.Effect<ReadTarget, SourceError> =>
  Effect.gen(function* () {
    if (options.table !== undefined) {
      const text = options.table
      const table = yield* Effect.try({
        try: () => parseTableName(text),
        catch: (error) =>
          new SourceError({
            message: `Snowflake: ${error instanceof TableNameError ? error.message : String(error)}`,
            code: "config"
          })
      })
      const quoted = quoteTableName(table)
      return { _tag: "Table", table, quoted, sql: `SELECT * FROM ${quoted}`, label: `table ${quoted}` } as const
    }
    const query = options.query ?? ""
    if (SQL_FILE.test(query.trim())) {
      const file = query.trim()
      const text = yield* Effect.tryPromise({
        try: () => readFile(file, "utf8"),
        catch: (error) =>
          new SourceError({
            message: `Snowflake: cannot read query file ${file}: ${error instanceof Error ? error.message : String(error)}`,
            code: "not-found"
          })
      })
      const sql = trimQuery(text)
      if (sql === "") return yield* new SourceError({ message: `Snowflake: query file ${file} is empty`, code: "config" })
      return { _tag: "Query", sql, label: `query ${file}`, file } as const
    }
    const sql = trimQuery(query)
    if (sql === "") return yield* new SourceError({ message: "Snowflake: the query is empty", code: "config" })
    return { _tag: "Query", sql, label: `query "${firstLine(sql)}"`, file: undefined } as const
  })

import { readFile } from "node:fs/promises"
import { SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { POSTGRES_LEXICON, singleStatement, SNOWFLAKE_LEXICON, type SqlLexicon } from "./SingleStatement.ts"
import { type SchemaTableName, TableNameError, type TableNameSyntax } from "./TableName.ts"

/** What to read: a table (always by quoted identifiers) or the user's query, as one SELECT. */
export type ReadTarget<Name extends SchemaTableName = SchemaTableName> =
  | {
      readonly _tag: "Table"
      readonly table: Name
      /** The table as quoted SQL, e.g. `"analytics"."orders"`. */
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

/** The one statement a query must be (see `singleStatement`), or a config error naming `--query`. */
const oneStatement = (dialect: string, sql: string, label: string, lexicon: SqlLexicon): Effect.Effect<string, SourceError> => {
  const checked = singleStatement(sql, lexicon)
  if (checked._tag === "Statement") return Effect.succeed(checked.sql)
  return Effect.fail(
    new SourceError({
      message: `${dialect}: the ${label} (--query) ${checked.reason}; tablecast runs exactly one statement that reads, in a read-only transaction`,
      code: "config"
    })
  )
}

/**
 * Resolves `table` (parsed with the database's table name syntax) or `query` (text or `.sql` file)
 * into the SQL that reads it. Messages start with the syntax's dialect, e.g. "Postgres: ". A query
 * must be one SELECT, WITH, VALUES or TABLE statement (a trailing `;` is allowed), lexed with
 * `lexicon` (by default the dialect's).
 */
export const resolveTarget = <Name extends SchemaTableName>(
  tableNames: TableNameSyntax<Name>,
  options: {
    readonly table?: string | undefined
    readonly query?: string | undefined
  },
  lexicon: SqlLexicon = tableNames.dialect === "Snowflake" ? SNOWFLAKE_LEXICON : POSTGRES_LEXICON
): Effect.Effect<ReadTarget<Name>, SourceError> =>
  Effect.gen(function* () {
    const dialect = tableNames.dialect
    if (options.table !== undefined) {
      const text = options.table
      const table = yield* Effect.try({
        try: () => tableNames.parse(text),
        catch: (error) =>
          new SourceError({
            message: `${dialect}: ${error instanceof TableNameError ? error.message : String(error)}`,
            code: "config"
          })
      })
      const quoted = tableNames.quote(table)
      return { _tag: "Table", table, quoted, sql: `SELECT * FROM ${quoted}`, label: `table ${quoted}` } as const
    }
    const query = options.query ?? ""
    if (SQL_FILE.test(query.trim())) {
      const file = query.trim()
      const text = yield* Effect.tryPromise({
        try: () => readFile(file, "utf8"),
        catch: (error) =>
          new SourceError({
            message: `${dialect}: cannot read query file ${file}: ${error instanceof Error ? error.message : String(error)}`,
            code: "not-found"
          })
      })
      const sql = trimQuery(text)
      if (sql === "") return yield* new SourceError({ message: `${dialect}: query file ${file} is empty`, code: "config" })
      const statement = yield* oneStatement(dialect, sql, `query file ${file}`, lexicon)
      return { _tag: "Query", sql: statement, label: `query ${file}`, file } as const
    }
    const sql = trimQuery(query)
    if (sql === "") return yield* new SourceError({ message: `${dialect}: the query is empty`, code: "config" })
    const statement = yield* oneStatement(dialect, sql, "query", lexicon)
    return { _tag: "Query", sql: statement, label: `query "${firstLine(statement)}"`, file: undefined } as const
  })

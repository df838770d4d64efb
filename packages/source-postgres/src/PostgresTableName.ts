import { type SchemaTableName, tableNameSyntax } from "@tablecast/source-sql"

/**
 * Postgres table names: `name` or `schema.name` (a connection reads one database), unquoted parts
 * folded to lower case as Postgres does, always quoted when they reach SQL.
 */
export const PostgresTableName = tableNameSyntax({ dialect: "Postgres", fold: "lower", parts: 2 })

/** A parsed table name; `schema` undefined leaves it to the search_path. */
export type TableName = SchemaTableName

/** Parses `name` or `schema.name`; throws a `TableNameError` saying what is wrong. */
export const parseTableName: (text: string) => TableName = PostgresTableName.parse

/** The table as SQL, e.g. `"analytics"."orders"`. */
export const quoteTableName: (table: TableName) => string = PostgresTableName.quote

import { type DatabaseTableName, tableNameSyntax } from "@tablecast/source-sql"

/**
 * Snowflake table names: `name`, `schema.name` or `database.schema.name`, unquoted parts folded
 * to upper case as Snowflake does, always quoted when they reach SQL.
 */
export const SnowflakeTableName = tableNameSyntax({ dialect: "Snowflake", fold: "upper", parts: 3 })

/** A parsed table name; an undefined `database` or `schema` is the session's. */
export type TableName = DatabaseTableName

/** Parses `name`, `schema.name` or `database.schema.name`; throws a `TableNameError` saying what is wrong. */
export const parseTableName: (text: string) => TableName = SnowflakeTableName.parse

/** The table as SQL, e.g. `"ANALYTICS"."ORDERS"`. */
export const quoteTableName: (table: TableName) => string = SnowflakeTableName.quote

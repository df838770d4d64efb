import { formatIssues, SourceError } from "@tablecast/core"
import { type ColumnSummary, convertRow, decidedColumn, type SourceDescription, type TableSummary as SqlTableSummary } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import { connect, execute, queryRows } from "./SnowflakeDriver.ts"
import { toSourceError } from "./SnowflakeError.ts"
import { type Environment, resolveSettings } from "./SnowflakeSettings.ts"
import { plan, tableStats } from "./SnowflakeSource.ts"
import { SnowflakeConnectionOptions, type SnowflakeConnectionOptionsInput, type SnowflakeSourceOptionsInput } from "./SnowflakeSourceOptions.ts"
import { SnowflakeTableName } from "./SnowflakeTableName.ts"
import { resultColumns } from "./SnowflakeValues.ts"

/**
 * A table or view the session can see; `estimatedRows` is INFORMATION_SCHEMA.TABLES.ROW_COUNT
 * (kept by Snowflake for tables, not views).
 */
export type TableSummary = SqlTableSummary<"table" | "view" | "materialized view" | "external table">

const KINDS: Record<string, TableSummary["kind"]> = {
  "BASE TABLE": "table",
  VIEW: "view",
  "MATERIALIZED VIEW": "materialized view",
  "EXTERNAL TABLE": "external table"
}

export type ListTablesOptions = SnowflakeConnectionOptionsInput

/**
 * Lists the tables and views of the session's database (INFORMATION_SCHEMA.TABLES); the
 * connection's `schema`, when given, keeps to that schema.
 */
export const listTables = (input: ListTablesOptions, env: Environment = process.env): Effect.Effect<ReadonlyArray<TableSummary>, SourceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const parsed = SnowflakeConnectionOptions.safeParse(input)
      if (!parsed.success) {
        return yield* new SourceError({ message: `Snowflake options:\n${formatIssues(parsed.error)}`, code: "config" })
      }
      const settings = yield* resolveSettings(parsed.data, env)
      const connection = yield* connect(settings)
      const schema = settings.schema === undefined ? undefined : settings.schema.toUpperCase()
      const rows = yield* queryRows(
        connection,
        `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ROW_COUNT FROM INFORMATION_SCHEMA.TABLES
          WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'${schema === undefined ? "" : " AND TABLE_SCHEMA = ?"}
          ORDER BY TABLE_SCHEMA, TABLE_NAME`,
        schema === undefined ? [] : [schema],
        settings,
        `listing tables on ${settings.description}`
      )
      return rows.map(([tableSchema, name, type, rowCount]): TableSummary => {
        const count = Number(rowCount)
        return {
          schema: String(tableSchema),
          name: String(name),
          kind: KINDS[String(type)] ?? "table",
          table: SnowflakeTableName.format({ database: undefined, schema: String(tableSchema), name: String(name) }),
          estimatedRows: rowCount === null || rowCount === undefined || !Number.isFinite(count) ? undefined : count
        }
      })
    })
  )

/**
 * Describes a table or query (the source's `table` or `query` option): each column's Snowflake
 * type and what it becomes in JSON, nullability, and a few sample values (the query runs with a
 * LIMIT). A table's row estimate comes from INFORMATION_SCHEMA; a query's is left unknown (it
 * would take running the whole query).
 */
export const describeSource = (
  input: SnowflakeSourceOptionsInput,
  options: { readonly samples?: number } = {},
  env: Environment = process.env
): Effect.Effect<SourceDescription, SourceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const p = yield* plan(input, env)
      const connection = yield* connect(p.settings)
      const doing = `describing ${p.target.label}`
      const sampleCount = Math.max(0, Math.min(options.samples ?? 5, 100))
      const statement = yield* execute(connection, `SELECT * FROM (\n${p.target.sql}\n) AS tablecast_sample LIMIT ${sampleCount}`, p.settings, {
        doing
      })
      const columns = yield* Effect.try({
        try: () =>
          resultColumns(
            statement,
            { bigNumbers: p.options.bigNumbers, binary: p.options.binary === "refuse" ? "inspect" : p.options.binary },
            doing
          ),
        catch: (error) => toSourceError(error, doing, p.settings.secrets)
      })
      const rows = yield* Effect.tryPromise({
        try: async () => {
          const collected: Array<Record<string, unknown>> = []
          for await (const row of statement.streamRows()) collected.push(convertRow(columns, row as Array<unknown>))
          return collected
        },
        catch: (error) => toSourceError(error, doing, p.settings.secrets)
      })
      const estimatedRows = p.target._tag === "Table" ? (yield* tableStats(connection, p, p.target.table))?.rowCount : undefined
      return {
        description: p.description,
        estimatedRows,
        columns: columns.map(
          (column): ColumnSummary => ({
            name: column.name,
            sourceType: column.sourceType,
            kind: column.kind,
            sentAs: decidedColumn(column, p.options.bigNumbers),
            nullable: column.nullable,
            unique: undefined,
            samples: rows.map((row) => row[column.name])
          })
        )
      }
    })
  )

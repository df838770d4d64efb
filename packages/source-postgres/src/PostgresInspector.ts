import { formatIssues, SourceError } from "@tablecast/core"
import { type ColumnSummary, convertRow, decidedColumn, type SourceDescription, type TableSummary as SqlTableSummary } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as z from "zod"
import { connect, connectionSecrets, type Environment, resolveConnection, runQuery } from "./PostgresConnection.ts"
import { estimateRows, plan } from "./PostgresSource.ts"
import { PostgresConnectionOptions, type PostgresConnectionOptionsInput, type PostgresSourceOptionsInput } from "./PostgresSourceOptions.ts"
import { PostgresTableName } from "./PostgresTableName.ts"
import { describeColumns, limitedQuery } from "./ResultColumns.ts"

/**
 * A table or view the connection can read; `estimatedRows` is the catalog's estimate
 * (`reltuples`), when the table has been analyzed.
 */
export type TableSummary = SqlTableSummary<"table" | "view" | "materialized view" | "foreign table" | "partitioned table">

const KINDS: Record<string, TableSummary["kind"]> = {
  r: "table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
  p: "partitioned table"
}

const ListOptions = PostgresConnectionOptions.extend({
  /** Only this schema's tables (default: every schema but the system ones). */
  schema: z.string().min(1).optional()
})
export type ListTablesOptions = PostgresConnectionOptionsInput & { readonly schema?: string | undefined }

/** Lists the tables and views the connection may SELECT from, outside the system schemas. */
export const listTables = (input: ListTablesOptions, env: Environment = process.env): Effect.Effect<ReadonlyArray<TableSummary>, SourceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const parsed = ListOptions.safeParse(input)
      if (!parsed.success) {
        return yield* new SourceError({ message: `Postgres options:\n${formatIssues(parsed.error)}`, code: "config" })
      }
      const options = parsed.data
      const connection = yield* resolveConnection(options, env)
      const secrets = connectionSecrets(connection, options)
      const client = yield* connect(connection, secrets, { readOnly: true })
      const result = yield* runQuery<[string, string, string, string]>(
        client,
        `SELECT n.nspname, c.relname, c.relkind::text, c.reltuples::float8::text
           FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p')
            AND NOT c.relispartition
            AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            AND ($1::text IS NULL OR n.nspname = $1)
            AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
          ORDER BY 1, 2`,
        [options.schema ?? null],
        `listing tables on ${connection.description}`,
        secrets
      )
      return result.rows.map(([schema, name, relkind, reltuples]): TableSummary => {
        const estimate = Number(reltuples)
        return {
          schema,
          name,
          kind: KINDS[relkind] ?? "table",
          table: PostgresTableName.format({ schema, name }),
          estimatedRows: relkind !== "v" && Number.isFinite(estimate) && estimate >= 0 ? Math.round(estimate) : undefined
        }
      })
    })
  )

/**
 * Describes a table or query (the source's `table` or `query` option): each column's type and
 * what it becomes in JSON, whether it is nullable or unique (for columns straight from a table),
 * a few sample values, and the planner's row estimate. Reads only `samples` rows.
 */
export const describeSource = (
  input: PostgresSourceOptionsInput,
  options: { readonly samples?: number } = {},
  env: Environment = process.env
): Effect.Effect<SourceDescription, SourceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const p = yield* plan(input, env)
      const client = yield* connect(p.connection, p.secrets, { readOnly: p.options.readOnly })
      const doing = `describing ${p.target.label}`
      const columns = yield* describeColumns(
        client,
        p.target.sql,
        { bigNumbers: p.options.bigNumbers, binary: p.options.binary === "refuse" ? "inspect" : p.options.binary },
        doing,
        p.secrets
      )
      const sampleCount = Math.max(0, Math.min(options.samples ?? 5, 100))
      const sampled = yield* runQuery(client, limitedQuery(p.target.sql, sampleCount), [], doing, p.secrets)
      const rows = sampled.rows.map((raw) => convertRow(columns, raw))

      // Nullability and uniqueness of the columns that come straight from a table.
      const sourced = columns.filter((column) => column.tableOid !== 0)
      const facts = new Map<string, { nullable: boolean; unique: boolean }>()
      if (sourced.length > 0) {
        const result = yield* runQuery<[string, string, string, string]>(
          client,
          `SELECT a.attrelid::int8::text, a.attnum::text, (NOT a.attnotnull)::text,
                  EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                           WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indnkeyatts = 1
                             AND i.indkey[0] = a.attnum AND i.indpred IS NULL)::text
             FROM pg_catalog.pg_attribute a
             JOIN unnest($1::oid[], $2::int2[]) AS c(rel, num) ON a.attrelid = c.rel AND a.attnum = c.num
             -- A view's columns carry no constraints: their facts stay unknown.
             JOIN pg_catalog.pg_class r ON r.oid = a.attrelid AND r.relkind IN ('r', 'p', 'm', 'f')`,
          [sourced.map((column) => column.tableOid), sourced.map((column) => column.columnNumber)],
          doing,
          p.secrets
        )
        for (const [rel, num, nullable, unique] of result.rows) {
          facts.set(`${rel}:${num}`, { nullable: nullable === "true", unique: unique === "true" })
        }
      }
      const estimatedRows = yield* estimateRows(client, p)
      return {
        description: p.description,
        estimatedRows,
        columns: columns.map((column): ColumnSummary => {
          const fact = facts.get(`${column.tableOid}:${column.columnNumber}`)
          return {
            name: column.name,
            sourceType: column.sourceType,
            kind: column.kind,
            sentAs: decidedColumn(column, p.options.bigNumbers),
            nullable: fact?.nullable,
            unique: fact?.unique,
            samples: rows.map((row) => row[column.name])
          }
        })
      }
    })
  )

import type { SourceError } from "@tablecast/core"
import { type ColumnSummary, convertRow, decidedColumn, type SourceDescription } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import { toSourceError } from "./DuckDBDatabase.ts"
import { describeColumns, openChecked, parquetRows, plan } from "./DuckDBSource.ts"
import type { DuckDBSourceOptionsInput } from "./DuckDBSourceOptions.ts"

/**
 * Describes a file or query: each column's DuckDB type and what it becomes in JSON, and a few
 * sample values (the query runs with a LIMIT). A Parquet file's row count comes from its footer.
 */
export const describeSource = (
  input: DuckDBSourceOptionsInput,
  options: { readonly samples?: number } = {}
): Effect.Effect<SourceDescription, SourceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const p = yield* plan(input)
      const connection = yield* openChecked(p)
      const doing = `describing ${p.target.label}`
      const sampleCount = Math.max(0, Math.min(options.samples ?? 5, 100))
      const sql = `SELECT * FROM (\n${p.target.sql}\n) AS tablecast_sample LIMIT ${sampleCount}`
      // Binary columns are shown by their size rather than refused.
      const binary = p.options.binary === "refuse" ? "inspect" : p.options.binary
      const columns = yield* describeColumns(connection, p, sql, { bigNumbers: p.options.bigNumbers, binary })
      const rows = yield* Effect.tryPromise({
        try: async () => (await connection.runAndReadAll(sql)).getRows().map((row) => convertRow(columns, row)),
        catch: (error) => toSourceError(error, doing)
      })
      return {
        description: p.description,
        estimatedRows: yield* parquetRows(connection, p),
        columns: columns.map(
          (column): ColumnSummary => ({
            name: column.name,
            sourceType: column.sourceType,
            kind: column.kind,
            sentAs: decidedColumn(column, p.options.bigNumbers),
            nullable: undefined,
            unique: undefined,
            samples: rows.map((row) => row[column.name])
          })
        )
      }
    })
  )

import type { SourceError } from "@tablecast/core"
import { type ColumnSummary, convertRow, decidedColumn, type SourceDescription } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import { execute, fetchPage, openSession } from "./DatabricksDriver.ts"
import type { Environment } from "./DatabricksSettings.ts"
import { columnsOf, plan } from "./DatabricksSource.ts"
import type { DatabricksSourceOptionsInput } from "./DatabricksSourceOptions.ts"
import { rowArrays } from "./DatabricksValues.ts"

/** Describes a table or query: each column's Databricks type and what it becomes in JSON, and a few sample values (the query runs with a LIMIT). */
export const describeSource = (
  input: DatabricksSourceOptionsInput,
  options: { readonly samples?: number } = {},
  env: Environment = process.env
): Effect.Effect<SourceDescription, SourceError> =>
  Effect.scoped(
    Effect.gen(function* () {
      const inspected = yield* plan(input, env)
      // Binary columns are shown by size rather than refused.
      const p = {
        ...inspected,
        options: { ...inspected.options, binary: inspected.options.binary === "refuse" ? ("inspect" as never) : inspected.options.binary }
      }
      const doing = `describing ${p.target.label}`
      const sampleCount = Math.max(0, Math.min(options.samples ?? 5, 100))
      const session = yield* openSession(p.settings)
      const operation = yield* execute(
        session,
        `SELECT * FROM (\n${p.target.sql}\n) AS tablecast_sample LIMIT ${sampleCount}`,
        p.settings,
        doing,
        Math.max(sampleCount, 1)
      )
      const columns = yield* columnsOf(operation, p, doing)
      const page = sampleCount === 0 ? { rows: [] } : yield* fetchPage(operation, sampleCount, p.settings, doing, 1)
      const rows = rowArrays(columns, page.rows).map((row) => convertRow(columns, row))
      return {
        description: p.description,
        estimatedRows: undefined,
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

import type { ColumnSummary, SourceDescription, SourceError } from "@tablecast/core"
import { convertRow, decidedColumn } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import { fetchPage, startQuery } from "./BigQueryClient.ts"
import { toSourceError } from "./BigQueryError.ts"
import type { Environment } from "./BigQuerySettings.ts"
import { client, estimate, plan } from "./BigQuerySource.ts"
import type { BigQuerySourceOptionsInput } from "./BigQuerySourceOptions.ts"
import { cellsOf, resultColumns } from "./BigQueryValues.ts"

/**
 * The columns of a table or query with a few sample rows, for `tablecast inspect`: the dry run
 * first (what a sync would scan, said in the description), then the query with a LIMIT.
 */
export const describeSource = (
  input: BigQuerySourceOptionsInput,
  options: { readonly samples?: number } = {},
  env: Environment = process.env
): Effect.Effect<SourceDescription, SourceError> =>
  Effect.gen(function* () {
    const p = yield* plan(input, env)
    const bigquery = yield* client(p)
    const dry = yield* estimate(bigquery, p)
    const doing = `describing ${p.target.label}`
    const sampleCount = Math.max(0, Math.min(options.samples ?? 5, 100))
    const page = yield* Effect.tryPromise({
      try: async () => {
        const job = await startQuery(bigquery, {
          sql: `SELECT * FROM (\n${p.target.sql}\n) AS tablecast_sample LIMIT ${sampleCount}`,
          location: p.settings.location,
          maximumBytesBilled: p.options.maximumBytesBilled === undefined ? undefined : String(p.options.maximumBytesBilled)
        })
        return fetchPage(job, Math.max(sampleCount, 1), undefined)
      },
      catch: (error) => toSourceError(error, doing, p.settings.secrets)
    })
    const columns = yield* Effect.try({
      try: () =>
        resultColumns(
          page.fields,
          { bigNumbers: p.options.bigNumbers, binary: p.options.binary === "refuse" ? "inspect" : p.options.binary },
          doing
        ),
      catch: (error) => toSourceError(error, doing, p.settings.secrets)
    })
    const rows = page.rows.map((row) => convertRow(columns, cellsOf(row)))
    return {
      description: `${p.description} (a sync's query would process ${dry.totalBytesProcessed} bytes)`,
      estimatedRows: undefined,
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

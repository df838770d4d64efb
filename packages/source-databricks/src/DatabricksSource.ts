import { createHash } from "node:crypto"
import { formatIssues, RowSource, type RowSourceShape, SourceError, type SourceItem } from "@tablecast/core"
import { convertPage, decidedColumns, type ReadTarget } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { execute, fetchPage, type Operation, openSession, schemaOf } from "./DatabricksDriver.ts"
import { type DatabricksSettings, type Environment, resolveSettings } from "./DatabricksSettings.ts"
import { DatabricksSourceOptions, type DatabricksSourceOptionsInput } from "./DatabricksSourceOptions.ts"
import type { TableName } from "./DatabricksTableName.ts"
import { resolveDatabricksTarget } from "./DatabricksTarget.ts"
import { type ResultColumn, resultColumns, rowArrays } from "./DatabricksValues.ts"

/** Everything a Databricks source needs, resolved once: options, connection settings, target. */
export interface DatabricksPlan {
  readonly options: DatabricksSourceOptions
  readonly settings: DatabricksSettings
  readonly target: ReadTarget<TableName>
  readonly description: string
}

/** Checks the options and resolves the settings and the target; no network yet. */
export const plan = (input: DatabricksSourceOptionsInput, env: Environment = process.env): Effect.Effect<DatabricksPlan, SourceError> =>
  Effect.gen(function* () {
    const parsed = DatabricksSourceOptions.safeParse(input)
    if (!parsed.success) {
      return yield* new SourceError({ message: `Databricks source options:\n${formatIssues(parsed.error)}`, code: "config" })
    }
    const options = parsed.data
    const settings = yield* resolveSettings(options, env)
    const target = yield* resolveDatabricksTarget(options)
    return { options, settings, target, description: `${settings.description} ${target.label}` }
  })

/** The statement's result columns with their conversions (waits for the statement to finish). */
export const columnsOf = (operation: Operation, p: DatabricksPlan, doing: string): Effect.Effect<ReadonlyArray<ResultColumn>, SourceError> =>
  Effect.flatMap(schemaOf(operation, p.settings, doing), (schema) =>
    Effect.try({
      try: () => resultColumns(schema, { bigNumbers: p.options.bigNumbers, binary: p.options.binary }, doing),
      catch: (error) =>
        error instanceof SourceError ? error : new SourceError({ message: `Databricks: ${doing}: ${String(error)}`, code: "query" })
    })
  )

/** The rows of an executed statement, one FetchResults page per pull: a slow consumer holds the download. */
const operationRows = (operation: Operation, columns: ReadonlyArray<ResultColumn>, p: DatabricksPlan): Stream.Stream<SourceItem, SourceError> => {
  const doing = `reading ${p.target.label}`
  let rowNumber = 0
  return Stream.paginate(undefined, () =>
    fetchPage(operation, p.options.pageSize, p.settings, doing, rowNumber + 1).pipe(
      Effect.map(({ rows, done }) => {
        const items = convertPage(columns, rowArrays(columns, rows), rowNumber)
        rowNumber += rows.length
        return [items, done ? Option.none() : Option.some(undefined)] as const
      })
    )
  )
}

/**
 * A Databricks `RowSource` for the options. One session serves the source, opened on first use and
 * closed with the scope; the statement runs once, when its columns or rows are first asked for.
 */
export const make = (
  input: DatabricksSourceOptionsInput,
  env: Environment = process.env
): Effect.Effect<RowSourceShape, SourceError, Scope.Scope> =>
  Effect.gen(function* () {
    const p = yield* plan(input, env)
    const scope = yield* Effect.scope
    const doing = `reading ${p.target.label}`
    const session = yield* Effect.cached(Scope.provide(scope)(openSession(p.settings)))
    const run = yield* Effect.cached(
      Effect.gen(function* () {
        const operation = yield* Scope.provide(scope)(
          Effect.flatMap(session, (opened) => execute(opened, p.target.sql, p.settings, doing, p.options.pageSize))
        )
        const columns = yield* columnsOf(operation, p, doing)
        return { operation, columns }
      })
    )
    const fingerprint: Effect.Effect<string, SourceError> = Effect.succeed(
      `databricks:v1:${createHash("sha256")
        .update(
          JSON.stringify({
            host: p.settings.host.toLowerCase(),
            path: p.settings.httpPath,
            catalog: p.settings.catalog,
            schema: p.settings.schema,
            sql: p.target.sql
          })
        )
        .digest("hex")}`
    )
    return {
      description: p.description,
      // Counting would run the query (or a COUNT over the table) a second time on the warehouse's bill.
      estimatedRows: Effect.succeed(undefined),
      fingerprint,
      columns: Effect.map(run, ({ columns }) => columns.map((column) => column.name)),
      // The result's declared types decide what `auto` sends each column as.
      columnTypes: Effect.map(run, ({ columns }) => decidedColumns(columns, p.options.bigNumbers)),
      rows: Stream.unwrap(Effect.map(run, ({ operation, columns }) => operationRows(operation, columns, p)))
    }
  })

/** Provides the core's `RowSource` reading Databricks; its session closes with the layer. */
export const layer = (input: DatabricksSourceOptionsInput, env: Environment = process.env): Layer.Layer<RowSource, SourceError> =>
  Layer.effect(RowSource)(make(input, env))

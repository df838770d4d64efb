import { createHash } from "node:crypto"
import type { Readable } from "node:stream"
import { formatIssues, RowSource, type RowSourceShape, SourceError, type SourceItem } from "@tablecast/core"
import { convertPage, decidedColumns, quoteIdentifier, type ReadTarget, resolveTarget } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Snowflake from "snowflake-sdk"
import { connect, execute, queryRows } from "./SnowflakeDriver.ts"
import { toSourceError } from "./SnowflakeError.ts"
import { type Environment, resolveSettings, type SnowflakeSettings } from "./SnowflakeSettings.ts"
import { SnowflakeSourceOptions, type SnowflakeSourceOptionsInput } from "./SnowflakeSourceOptions.ts"
import { SnowflakeTableName, type TableName } from "./SnowflakeTableName.ts"
import { type ResultColumn, resultColumns } from "./SnowflakeValues.ts"

/** Everything a Snowflake source needs, resolved once: options, connection settings, target. */
export interface SnowflakePlan {
  readonly options: SnowflakeSourceOptions
  readonly settings: SnowflakeSettings
  readonly target: ReadTarget<TableName>
  readonly description: string
}

/** Checks the options and resolves the settings and the target; no network yet. */
export const plan = (input: SnowflakeSourceOptionsInput, env: Environment = process.env): Effect.Effect<SnowflakePlan, SourceError> =>
  Effect.gen(function* () {
    const parsed = SnowflakeSourceOptions.safeParse(input)
    if (!parsed.success) {
      return yield* new SourceError({ message: `Snowflake source options:\n${formatIssues(parsed.error)}`, code: "config" })
    }
    const options = parsed.data
    const settings = yield* resolveSettings(options, env)
    const target = yield* resolveTarget(SnowflakeTableName, options)
    return { options, settings, target, description: `${settings.description} ${target.label}` }
  })

/** `INFORMATION_SCHEMA.TABLES` of the table's database (or the session's). */
const informationSchemaTables = (table: TableName) =>
  table.database === undefined ? "INFORMATION_SCHEMA.TABLES" : `${quoteIdentifier(table.database)}.INFORMATION_SCHEMA.TABLES`

/** ROW_COUNT and LAST_ALTERED of a table from its INFORMATION_SCHEMA, if the table is there. */
export const tableStats = (
  connection: Snowflake.Connection,
  p: SnowflakePlan,
  table: TableName
): Effect.Effect<{ rowCount: number | undefined; lastAltered: string } | undefined, SourceError> =>
  Effect.gen(function* () {
    const schema = table.schema ?? p.settings.schema?.toUpperCase()
    const rows = yield* queryRows(
      connection,
      `SELECT ROW_COUNT, LAST_ALTERED FROM ${informationSchemaTables(table)} WHERE TABLE_SCHEMA = ${schema === undefined ? "CURRENT_SCHEMA()" : "?"} AND TABLE_NAME = ?`,
      schema === undefined ? [table.name] : [schema, table.name],
      p.settings,
      `reading the statistics of ${p.target.label}`
    )
    const [rowCount, lastAltered] = rows[0] ?? []
    if (rows[0] === undefined) return undefined
    const count = Number(rowCount)
    return {
      rowCount: rowCount === null || !Number.isFinite(count) ? undefined : count,
      lastAltered: lastAltered instanceof Date ? lastAltered.toISOString() : String(lastAltered)
    }
  })

/**
 * Up to `size` rows from the driver's row stream, read synchronously from its buffer in paused
 * mode (an `await` per row would cost more than the rows themselves); waits for `readable` when
 * the buffer runs dry. `done` once the stream has ended.
 */
const readPage = (readable: Readable, size: number): Effect.Effect<{ rows: Array<Array<unknown>>; done: boolean }, unknown> =>
  Effect.callback<{ rows: Array<Array<unknown>>; done: boolean }, unknown>((resume) => {
    const rows: Array<Array<unknown>> = []
    const cleanup = () => {
      readable.off("readable", pump)
      readable.off("end", onEnd)
      readable.off("error", onError)
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed({ rows, done: true }))
    }
    const onError = (error: unknown) => {
      cleanup()
      resume(Effect.fail(error))
    }
    function pump() {
      while (rows.length < size) {
        const row: unknown = readable.read()
        if (row === null) break
        rows.push(row as Array<unknown>)
      }
      if (rows.length >= size) {
        cleanup()
        resume(Effect.succeed({ rows, done: false }))
      }
    }
    if (readable.readableEnded) return resume(Effect.succeed({ rows, done: true }))
    if (readable.errored !== null) return resume(Effect.fail(readable.errored))
    readable.on("readable", pump)
    readable.on("end", onEnd)
    readable.on("error", onError)
    pump()
  })

/**
 * The rows of an executed statement, through the driver's `streamRows` (a Node stream that
 * fetches result chunks as it is read, a couple ahead at most). A page is taken only when the
 * stream is pulled, so a slow consumer holds the download.
 */
const statementRows = (statement: Snowflake.RowStatement, p: SnowflakePlan): Stream.Stream<SourceItem, SourceError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const doing = `reading ${p.target.label}`
      const columns: ReadonlyArray<ResultColumn> = yield* Effect.try({
        try: () => resultColumns(statement, { bigNumbers: p.options.bigNumbers, binary: p.options.binary }, doing),
        catch: (error) => toSourceError(error, doing, p.settings.secrets)
      })
      const readable = statement.streamRows()
      // A destroyed stream stops fetching chunks.
      yield* Effect.addFinalizer(() => Effect.sync(() => readable.destroy()))
      const pageSize = p.options.pageSize
      let rowNumber = 0
      return Stream.paginate(undefined, () =>
        readPage(readable, pageSize).pipe(
          Effect.mapError((error) => toSourceError(error, doing, p.settings.secrets, { row: rowNumber + 1 })),
          Effect.map(({ rows, done }) => {
            const items = convertPage(columns, rows, rowNumber)
            rowNumber += rows.length
            return [items, done ? Option.none() : Option.some(undefined)] as const
          })
        )
      )
    })
  )

/**
 * A Snowflake `RowSource` for the options. One session serves the source, opened on first use and
 * closed with the scope. For a query, `estimatedRows` runs it and keeps the result for `rows`, so
 * the warehouse runs it once.
 */
export const make = (
  input: SnowflakeSourceOptionsInput,
  env: Environment = process.env
): Effect.Effect<RowSourceShape, SourceError, Scope.Scope> =>
  Effect.gen(function* () {
    const p = yield* plan(input, env)
    const scope = yield* Effect.scope
    const session = yield* Effect.cached(Scope.provide(scope)(connect(p.settings)))
    const doing = `reading ${p.target.label}`
    const run = Effect.flatMap(session, (connection) => execute(connection, p.target.sql, p.settings, { doing }))
    // A query executed for its row count, waiting for `rows` to take it.
    let executed: Snowflake.RowStatement | undefined
    const estimateQuery = yield* Effect.cached(
      Effect.map(run, (statement) => {
        executed = statement
        return statement.getNumRows()
      })
    )
    const target = p.target
    const estimatedRows: Effect.Effect<number | undefined, SourceError> =
      target._tag === "Table"
        ? Effect.flatMap(session, (connection) => tableStats(connection, p, target.table)).pipe(Effect.map((stats) => stats?.rowCount))
        : estimateQuery
    const fingerprint: Effect.Effect<string, SourceError> = Effect.gen(function* () {
      const stats = target._tag === "Table" ? yield* Effect.flatMap(session, (connection) => tableStats(connection, p, target.table)) : undefined
      const digest = createHash("sha256")
        .update(
          JSON.stringify({
            account: p.settings.account.toUpperCase(),
            database: p.settings.database?.toUpperCase(),
            schema: p.settings.schema?.toUpperCase(),
            sql: target.sql,
            stats
          })
        )
        .digest("hex")
      return `snowflake:v1:${digest}`
    })
    const rows = Stream.unwrap(
      Effect.gen(function* () {
        const statement = executed ?? (yield* run)
        executed = undefined
        return statementRows(statement, p)
      })
    )
    // The result's declared types decide what `auto` sends each column as. The statement run to
    // learn them is kept for `rows`, so the warehouse runs the query once.
    const columnTypes = Effect.gen(function* () {
      const statement = executed ?? (yield* run)
      executed = statement
      const columns = yield* Effect.try({
        try: () => resultColumns(statement, { bigNumbers: p.options.bigNumbers, binary: p.options.binary }, doing),
        catch: (error) => toSourceError(error, doing, p.settings.secrets)
      })
      return decidedColumns(columns, p.options.bigNumbers)
    })
    return { description: p.description, estimatedRows, fingerprint, columnTypes, rows }
  })

/** Provides the core's `RowSource` reading Snowflake; its session closes with the layer. */
export const layer = (input: SnowflakeSourceOptionsInput, env: Environment = process.env): Layer.Layer<RowSource, SourceError> =>
  Layer.effect(RowSource)(make(input, env))

import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult } from "@duckdb/node-api"
import { formatIssues, RowSource, type RowSourceShape, SourceError, type SourceItem } from "@tablecast/core"
import { type ConversionOptions, convertPage, decidedColumns } from "@tablecast/source-sql"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { openDatabase, toSourceError } from "./DuckDBDatabase.ts"
import { fingerprintPaths } from "./DuckDBFingerprint.ts"
import { DuckDBSourceOptions, type DuckDBSourceOptionsInput } from "./DuckDBSourceOptions.ts"
import { checkOneSelect, type DuckDBTarget, resolveTarget } from "./DuckDBTarget.ts"
import { type ResultColumn, resultColumns } from "./DuckDBValues.ts"

/** Everything a DuckDB source needs, resolved once: options and target. */
export interface DuckDBPlan {
  readonly options: DuckDBSourceOptions
  readonly target: DuckDBTarget
  readonly description: string
}

/** Checks the options and resolves the target; opens nothing yet. */
export const plan = (input: DuckDBSourceOptionsInput): Effect.Effect<DuckDBPlan, SourceError> =>
  Effect.gen(function* () {
    const parsed = DuckDBSourceOptions.safeParse(input)
    if (!parsed.success) {
      return yield* new SourceError({ message: `DuckDB source options:\n${formatIssues(parsed.error)}`, code: "config" })
    }
    const options = parsed.data
    const target = yield* resolveTarget(options, { threads: options.threads, memoryLimit: options.memoryLimit })
    return { options, target, description: `DuckDB ${target.label}` }
  })

/** A locked-down database whose one statement has been checked: what every read of the source starts from. */
export const openChecked = (p: DuckDBPlan): Effect.Effect<DuckDBConnection, SourceError, Scope.Scope> =>
  Effect.tap(openDatabase(p.target.access), (connection) => checkOneSelect(connection, p.target))

/** The result's columns, from the prepared statement (nothing is read). */
export const describeColumns = (
  connection: DuckDBConnection,
  p: DuckDBPlan,
  sql: string = p.target.sql,
  conversion: ConversionOptions = { bigNumbers: p.options.bigNumbers, binary: p.options.binary }
): Effect.Effect<ReadonlyArray<ResultColumn>, SourceError> => {
  const doing = `reading ${p.target.label}`
  return Effect.tryPromise({
    try: async () => {
      const prepared = await connection.prepare(sql)
      try {
        const names = Array.from({ length: prepared.columnCount }, (_, index) => prepared.columnName(index))
        const types = names.map((_, index) => prepared.columnType(index))
        return resultColumns(names, types, conversion, doing)
      } finally {
        prepared.destroySync()
      }
    },
    catch: (error) => toSourceError(error, doing)
  })
}

/** The number of rows of a Parquet file or glob, from the files' footers (nothing else is cheap to count). */
export const parquetRows = (connection: DuckDBConnection, p: DuckDBPlan): Effect.Effect<number | undefined, SourceError> => {
  const match = /^SELECT \* FROM read_parquet\(('(?:[^']|'')*')\)$/.exec(p.target.sql)
  if (match === null) return Effect.succeed(undefined)
  return Effect.tryPromise({
    try: async () => {
      const reader = await connection.runAndReadAll(`SELECT sum(num_rows)::BIGINT FROM parquet_file_metadata(${match[1]!})`)
      const count = reader.getRows()[0]?.[0]
      return count === null || count === undefined ? undefined : Number(count)
    },
    catch: (error) => toSourceError(error, `counting the rows of ${p.target.label}`)
  })
}

/**
 * Rows handed to the pipeline at a time. DuckDB produces chunks of up to 2,048 rows; the pipeline
 * maps a whole page before it waits for room in its queue, so a page of 2,048 would hold four
 * times the queue's 500 messages (and their rows' values) besides it. A page of 256 rows, read
 * from the chunk's vectors as it is needed (not the whole chunk at once), keeps 10–25 MiB off
 * the peak of a 1,000,000-row Parquet sync (docs/sources/duckdb.md, "Memory").
 */
export const PAGE_ROWS = 256

/** The chunk being read, and the next row of it to hand on. */
interface OpenChunk {
  readonly chunk: DuckDBDataChunk
  offset: number
}

/**
 * The rows of the result, a page of `PAGE_ROWS` at a time: a chunk is fetched only when the
 * previous one is read through and the stream is pulled, so a slow consumer holds the engine (a
 * streaming result keeps a bounded buffer ahead).
 */
export const resultRows = (result: DuckDBResult, columns: ReadonlyArray<ResultColumn>, label: string): Stream.Stream<SourceItem, SourceError> => {
  let rowNumber = 0
  let open: OpenChunk | undefined
  const doing = `reading ${label}`
  const nextPage = (current: OpenChunk): readonly [ReadonlyArray<SourceItem>, Option.Option<undefined>] => {
    const end = Math.min(current.offset + PAGE_ROWS, current.chunk.rowCount)
    const page: Array<ReadonlyArray<unknown>> = []
    for (let index = current.offset; index < end; index++) page.push(current.chunk.getRowValues(index))
    const items = convertPage(columns, page, rowNumber)
    rowNumber += page.length
    current.offset = end
    if (end >= current.chunk.rowCount) open = undefined
    return [items, Option.some(undefined)] as const
  }
  return Stream.paginate(undefined, () => {
    if (open !== undefined) return Effect.sync(() => nextPage(open!))
    return Effect.tryPromise({
      try: () => result.fetchChunk(),
      catch: (error) => toSourceError(error, doing, rowNumber + 1)
    }).pipe(
      Effect.map((chunk) => {
        if (chunk === null || chunk.rowCount === 0) return [[], Option.none()] as const
        open = { chunk, offset: 0 }
        return nextPage(open)
      })
    )
  })
}

/**
 * A DuckDB `RowSource`: one in-memory, locked-down database serves the source, opened on first
 * use and closed with the scope.
 */
export const make = (input: DuckDBSourceOptionsInput): Effect.Effect<RowSourceShape, SourceError, Scope.Scope> =>
  Effect.gen(function* () {
    const p = yield* plan(input)
    const scope = yield* Effect.scope
    const database = yield* Effect.cached(Scope.provide(scope)(openChecked(p)))
    const columns = yield* Effect.cached(Effect.flatMap(database, (connection) => describeColumns(connection, p)))
    const rows = Stream.unwrap(
      Effect.gen(function* () {
        const connection = yield* database
        const resultColumnsOf = yield* columns
        const result = yield* Effect.tryPromise({
          try: () => connection.stream(p.target.sql),
          catch: (error) => toSourceError(error, `reading ${p.target.label}`)
        })
        return resultRows(result, resultColumnsOf, p.target.label)
      })
    )
    return {
      description: p.description,
      estimatedRows: Effect.flatMap(database, (connection) => parquetRows(connection, p)),
      fingerprint: Effect.tryPromise({
        try: () => fingerprintPaths(p.target.sql, p.target.paths),
        catch: (error) => toSourceError(error, `fingerprinting ${p.target.label}`)
      }),
      columns: Effect.map(columns, (list) => list.map((column) => column.name)),
      // The result's declared types decide what `auto` sends each column as.
      columnTypes: Effect.map(columns, (list) => decidedColumns(list, p.options.bigNumbers)),
      rows
    }
  })

/** Provides the core's `RowSource` reading through DuckDB; the database closes with the layer. */
export const layer = (input: DuckDBSourceOptionsInput): Layer.Layer<RowSource, SourceError> => Layer.effect(RowSource)(make(input))

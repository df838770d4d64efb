import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { ColumnTypes } from "../map/ColumnTyping.ts"
import { RowSource, type SourceError, type SourceItem } from "../source/RowSource.ts"

export interface MemorySourceOptions {
  /** Rows per pull, to mimic a source that reads pages. */
  readonly chunkSize?: number
  /** Appended after the rows: e.g. `Stream.never` to keep a source open, or a failing stream. */
  readonly tail?: Stream.Stream<SourceItem, SourceError>
  readonly columns?: ReadonlyArray<string>
  /** The columns' decided types, as a source that decides them gives them (`RowSourceShape.columnTypes`). */
  readonly columnTypes?: ColumnTypes
  readonly onPull?: (rowsPulled: number) => void
}

/** A RowSource over rows in memory, for tests of the pipeline and of apps built on it. */
export const memorySource = (rows: ReadonlyArray<Record<string, unknown>>, options: MemorySourceOptions = {}): Layer.Layer<RowSource> => {
  const items: Array<SourceItem> = rows.map((values, i) => ({ rowNumber: i + 1, values }))
  let pulled = 0
  const chunkSize = options.chunkSize ?? 100
  const chunks: Array<ReadonlyArray<SourceItem>> = []
  for (let i = 0; i < items.length; i += chunkSize) chunks.push(items.slice(i, i + chunkSize))
  const stream = Stream.fromIterable(chunks).pipe(
    Stream.tap((chunk) =>
      Effect.sync(() => {
        pulled += chunk.length
        options.onPull?.(pulled)
      })
    ),
    Stream.flatMap((chunk) => Stream.fromArray(chunk)),
    Stream.concat(options.tail ?? Stream.empty)
  )
  return Layer.succeed(RowSource, {
    description: `memory (${rows.length} rows)`,
    estimatedRows: Effect.succeed(rows.length),
    fingerprint: Effect.succeed(`memory:${rows.length}`),
    rows: stream,
    ...(options.columns === undefined ? {} : { columns: Effect.succeed(options.columns) }),
    ...(options.columnTypes === undefined ? {} : { columnTypes: Effect.succeed(options.columnTypes) })
  })
}

import { type ColumnTypes, RowSource, type SourceItem } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

/** The rows a request brought, already numbered (from 1, or from a chunk's first row). */
export interface RequestRows {
  readonly items: ReadonlyArray<SourceItem>
  /** Columns of the widest row: with the row count, the cost estimate of a run. */
  readonly columns: number
  /** Column names known before the rows (a CSV header), so the pipeline checks the spec first. */
  readonly names?: ReadonlyArray<string>
  /**
   * What `auto` sends each column as, decided once for the whole request from its first rows
   * (`decideRequestColumnTypes`); a queue chunk carries its request's decision.
   */
  readonly columnTypes?: ColumnTypes
  /** A queue chunk's carried counts of the contents that occurred in the request's earlier chunks. */
  readonly repeatsBefore?: ReadonlyMap<string, number>
}

/** Numbers JSON rows from `firstRow` and measures their widest row. */
export const numberRows = (rows: ReadonlyArray<Readonly<Record<string, unknown>>>, firstRow = 1): RequestRows => {
  const items: Array<SourceItem> = new Array(rows.length)
  let columns = 0
  for (let index = 0; index < rows.length; index++) {
    const values = rows[index]!
    items[index] = { rowNumber: firstRow + index, values }
    const width = Object.keys(values).length
    if (width > columns) columns = width
  }
  return { items, columns }
}

/**
 * Hands out the items once, letting go of each as it goes: a run reads its source once, and the
 * rows it has mapped can then be collected while it goes on (a large synchronous run would
 * otherwise hold every row to its end).
 */
function* drain(items: ReadonlyArray<SourceItem>): Generator<SourceItem> {
  const held = items as Array<SourceItem | undefined>
  for (let index = 0; index < held.length; index++) {
    const item = held[index]
    if (item === undefined) continue
    held[index] = undefined
    yield item
  }
}

/**
 * A `RowSource` over rows held in memory: the request's own rows (a synchronous run) or one queue
 * chunk. The stream is pulled by the pipeline, so backpressure works as with any source.
 */
export const requestRowSource = (input: {
  readonly rows: RequestRows
  readonly description: string
  /** Names the data for checkpoints: the run id and the row range. */
  readonly fingerprint: string
}): Layer.Layer<RowSource> =>
  Layer.succeed(RowSource, {
    description: input.description,
    estimatedRows: Effect.succeed(input.rows.items.length),
    fingerprint: Effect.succeed(input.fingerprint),
    rows: Stream.fromIterable(drain(input.rows.items)),
    ...(input.rows.names === undefined ? {} : { columns: Effect.succeed(input.rows.names) }),
    ...(input.rows.columnTypes === undefined ? {} : { columnTypes: Effect.succeed(input.rows.columnTypes) }),
    ...(input.rows.repeatsBefore === undefined ? {} : { repeatsBefore: input.rows.repeatsBefore })
  })

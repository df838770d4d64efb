import { type ColumnTypeLine, columnTypeLines, compileMapper, isMalformed, type LibraryInfo, RowSource, type SyncSpec } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { PlanSample } from "./TrackingPlanSample.ts"

/** What `tablecast tracking-plan` learned from the first rows of a source. */
export interface SampledRows {
  readonly sample: PlanSample
  /** The type each column is sent as, and why, in the source's column order (as `preview` lists them). */
  readonly columnTypes: ReadonlyArray<ColumnTypeLine>
  /** Rows read to build the sample, the rejected ones included. */
  readonly rowsRead: number
  /** Rows the sync itself would reject, and the first of them (its row and reason, no values). */
  readonly rejected: number
  readonly firstReject?: { readonly row: number; readonly reason: string }
}

/**
 * Maps the first rows of the source as the sync would until `rows` rows have mapped, and keeps only
 * the aggregates a plan is written from: each message is parsed, tallied and let go, so a sample of
 * 100,000 rows holds no more than one of 10.
 */
export const sampleRowsForPlan = Effect.fn("TrackingPlan.sampleRows")(function* (input: {
  readonly spec: SyncSpec
  readonly rows: number
  readonly enumMax: number | undefined
  readonly library: LibraryInfo
}) {
  const source = yield* RowSource
  const types = source.columnTypes === undefined ? undefined : yield* source.columnTypes
  // The plan does not depend on messageIds: no counting of repeated rows (its tables grow with the rows read).
  const map = compileMapper(input.spec, input.library, { columnTypes: types, countRepeats: false })
  const known = source.columns === undefined ? Object.keys(types ?? {}) : yield* source.columns
  const sample = new PlanSample(input.spec, known, input.enumMax)
  let mapped = 0
  let rowsRead = 0
  let rejected = 0
  let firstReject: SampledRows["firstReject"]
  const reject = (row: number, reason: string) => {
    rejected++
    firstReject ??= { row, reason }
  }
  yield* source.rows.pipe(
    Stream.takeWhile(() => mapped < input.rows),
    Stream.runForEach((item) =>
      Effect.sync(() => {
        // The stream may hand on the rest of a page after the last row needed.
        if (mapped >= input.rows) return
        rowsRead++
        if (isMalformed(item)) return reject(item.malformed.rowNumber, item.malformed.reason)
        sample.noteColumns(Object.keys(item.values))
        const row = map(item)
        if (!row.ok) return reject(item.rowNumber, row.reason)
        mapped++
        for (const message of row.messages) sample.add(JSON.parse(message.json) as Record<string, unknown>)
      })
    )
  )
  return {
    sample,
    columnTypes: columnTypeLines(input.spec, sample.columns, types),
    rowsRead,
    rejected,
    ...(firstReject === undefined ? {} : { firstReject })
  } satisfies SampledRows
})

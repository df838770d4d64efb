import * as Effect from "effect/Effect"
import { type ColumnTypeLine, columnTypeLines } from "../map/ColumnTyping.ts"
import * as Stream from "effect/Stream"
import { compileMapper, type LibraryInfo } from "../map/MessageMapper.ts"
import type { RejectedRow } from "../report/RejectSink.ts"
import { isMalformed, malformedReject, RowSource } from "../source/RowSource.ts"
import type { SyncSpec } from "../spec/SyncSpec.ts"
import { VERSION } from "../Version.ts"
import type { ContractReport } from "../contract/ContractReport.ts"
import { ContractTally, contractReason } from "../contract/ContractTally.ts"
import { MessageContract } from "../contract/MessageContract.ts"

export interface PreviewResult {
  /** The first messages, serialized exactly as they go into a batch. */
  readonly messages: ReadonlyArray<string>
  /** Rows refused on the way (with their values), so a bad mapping shows at once. */
  readonly rejects: ReadonlyArray<RejectedRow>
  readonly rowsRead: number
  /** The type each column is sent as, and why (declared, or decided by the source); in the source's column order. */
  readonly columnTypes: ReadonlyArray<ColumnTypeLine>
  /** Rows previewed whose content repeats an earlier row's: each gets a messageId of its own all the same. */
  readonly rowsRepeated: number
  /** What the tracking plan found in the rows previewed (when there is one): rejected rows are in `rejects`. */
  readonly trackingPlan?: ContractReport
}

/**
 * Maps the first rows of the source until `limit` messages are built, and stops reading there:
 * a preview of a billion-row table reads a page, not the table.
 */
export const preview = Effect.fn("Sync.preview")(function* (input: {
  readonly spec: SyncSpec
  readonly limit: number
  readonly library?: LibraryInfo
}) {
  const source = yield* RowSource
  const contractShape = yield* MessageContract
  const contract = contractShape === undefined ? undefined : new ContractTally(contractShape, input.spec.event)
  const types = source.columnTypes === undefined ? undefined : yield* source.columnTypes
  const map = compileMapper(input.spec, input.library ?? { name: "tablecast", version: VERSION }, {
    columnTypes: types,
    ...(contract === undefined ? {} : { contract: contract.contract })
  })
  const known = source.columns === undefined ? Object.keys(types ?? {}) : yield* source.columns
  // Loose records (JSON rows) name their columns row by row: those of the rows previewed.
  const seen = new Set<string>(known)
  const messages: Array<string> = []
  const rejects: Array<RejectedRow> = []
  let rowsRead = 0
  let rowsRepeated = 0
  yield* source.rows.pipe(
    Stream.takeWhile(() => messages.length < input.limit),
    Stream.runForEach((item) =>
      Effect.sync(() => {
        rowsRead++
        if (isMalformed(item)) {
          rejects.push(malformedReject(item.malformed))
          return
        }
        if (seen.size < 1000) for (const column of Object.keys(item.values)) seen.add(column)
        const mapped = map(item)
        const violations =
          mapped.ok && contract !== undefined
            ? mapped.checks === undefined
              ? contract.checkRow(item.rowNumber, mapped.messages)
              : contract.recordRow(item.rowNumber, mapped.checks, contract.event)
            : []
        if (mapped.ok && violations.length > 0 && contract?.contract.mode === "reject") {
          rejects.push({ row: item.rowNumber, stage: "validation", reason: contractReason(violations), values: item.values })
        } else if (mapped.ok) {
          if (mapped.repeated) rowsRepeated++
          for (const message of mapped.messages) if (messages.length < input.limit) messages.push(message.json)
        } else {
          rejects.push({
            row: item.rowNumber,
            stage: "validation",
            reason: mapped.reason,
            ...(mapped.column === undefined ? {} : { column: mapped.column }),
            values: item.values
          })
        }
      })
    )
  )
  return {
    messages,
    rejects,
    rowsRead,
    rowsRepeated,
    columnTypes: columnTypeLines(input.spec, [...seen], types),
    ...(contract === undefined ? {} : { trackingPlan: contract.report() })
  } satisfies PreviewResult
})

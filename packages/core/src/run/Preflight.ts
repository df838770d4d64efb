import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import type { ColumnTypes } from "../map/ColumnTyping.ts"
import type { DeliveryTally } from "../report/DeliveryTally.ts"
import { oneLineError } from "../report/ErrorText.ts"
import { compileMapper, type LibraryInfo, type MapperOptions, type MessageMapper } from "../map/MessageMapper.ts"
import { SourceFailed, SpecInvalid } from "../report/Fatal.ts"
import type { RowSourceShape, SourceError } from "../source/RowSource.ts"
import { missingColumns } from "../spec/MissingColumns.ts"
import type { SyncSpec } from "../spec/SyncSpec.ts"

export interface Preflight {
  readonly map: MessageMapper
  /** `auto` as the source decides it, column by column; undefined when the source does not. */
  readonly columnTypes: ColumnTypes | undefined
}

const sourceFailed = (error: SourceError) => new SourceFailed({ message: error.message })

/**
 * Before anything is read or sent: the mapping compiles, the source gives its size (for the ETA,
 * into the tally), has every column the sync names, and decides its columns' types.
 */
export const preflight = (input: {
  readonly spec: SyncSpec
  readonly library: LibraryInfo
  readonly source: RowSourceShape
  readonly tally: DeliveryTally
  /** Rows built before the run: their types were decided already. */
  readonly prepared: boolean
  /** The run's contract: the mapper checks each message as it builds it. */
  readonly contract?: MapperOptions["contract"]
}): Effect.Effect<Preflight, SpecInvalid | SourceFailed> =>
  Effect.gen(function* () {
    const { spec, library, source, tally } = input
    // A spec the mapper cannot compile (a static context nested past the serializer) ends the run here.
    const check = input.contract === undefined ? {} : { contract: input.contract }
    const compiled = Result.try(() => compileMapper(spec, library, check))
    if (Result.isFailure(compiled)) {
      return yield* Effect.fail(new SpecInvalid({ message: `the sync cannot be mapped: ${oneLineError(compiled.failure)}` }))
    }
    tally.estimate(yield* source.estimatedRows.pipe(Effect.mapError(sourceFailed)))
    if (source.columns !== undefined) {
      const missing = missingColumns(spec, yield* source.columns.pipe(Effect.mapError(sourceFailed)))
      if (missing !== undefined) return yield* Effect.fail(new SpecInvalid({ message: missing.message }))
    }
    const columnTypes =
      source.columnTypes === undefined || input.prepared ? undefined : yield* source.columnTypes.pipe(Effect.mapError(sourceFailed))
    const map =
      columnTypes !== undefined || source.repeatsBefore !== undefined
        ? compileMapper(spec, library, { columnTypes, repeatsBefore: source.repeatsBefore, ...check })
        : compiled.success
    return { map, columnTypes }
  })

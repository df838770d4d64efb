import {
  type DescribeOptions,
  deterministicMessageId,
  isMalformed,
  MESSAGE_ID_PREFIX,
  RepeatCounter,
  type SourceDescription,
  type SourceError
} from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { ColumnProfile } from "./ColumnProfile.ts"
import * as CsvSource from "./CsvSource.ts"
import type { CsvSourceOptionsInput } from "./CsvSourceOptions.ts"

/**
 * What `tablecast inspect` shows of a file: a file does not say its types, so the first
 * `scanRows` rows are read to judge each column's type, empty values and uniqueness.
 */
export const inspectCsv = (
  options: CsvSourceOptionsInput,
  { samples, scanRows }: DescribeOptions
): Effect.Effect<SourceDescription, SourceError> =>
  Effect.gen(function* () {
    const source = yield* CsvSource.make(options)
    const names = yield* source.columns!
    const profiles = names.map((name) => new ColumnProfile(name, samples))
    // Rows identical to an earlier one: a sync sends each under a messageId of its own.
    const counter = new RepeatCounter({ filterBytes: 1 << 22 })
    const repeats = { scanned: 0, repeated: 0 }
    yield* source.rows.pipe(
      Stream.take(scanRows),
      Stream.runForEach((item) =>
        Effect.sync(() => {
          if (isMalformed(item)) return
          for (const profile of profiles) profile.add(item.values[profile.name], item.rowNumber)
          repeats.scanned++
          const content = deterministicMessageId("inspect", JSON.stringify(Object.values(item.values)))
          if (counter.nextHex(content, MESSAGE_ID_PREFIX.length) > 1) repeats.repeated++
        })
      )
    )
    const estimatedRows = yield* source.estimatedRows
    return { description: source.description, estimatedRows, columns: profiles.map((profile) => profile.summary()), repeats }
  })

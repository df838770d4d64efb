import path from "node:path"
import { deterministicMessageId, isMalformed, MESSAGE_ID_PREFIX, RepeatCounter } from "@tablecast/core"
import { ColumnProfile, CsvSource, CsvSourceOptions } from "@tablecast/source-csv"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as z from "zod"
import type { SourceAdapter } from "./SourceAdapter.ts"

export const CsvSourceConfig = z.object({ type: z.literal("csv") }).extend(CsvSourceOptions.shape).strict()
export type CsvSourceConfig = z.output<typeof CsvSourceConfig>

const optionsOf = ({ type: _type, ...options }: CsvSourceConfig, baseDir: string) => ({ ...options, path: path.resolve(baseDir, options.path) })

export const csvSource: SourceAdapter<CsvSourceConfig> = {
  type: "csv",
  schema: CsvSourceConfig,
  layer: (config, baseDir) => CsvSource.layer(optionsOf(config, baseDir)),
  describe: (config, baseDir, _env, { samples, scanRows }) =>
    Effect.gen(function* () {
      const source = yield* CsvSource.make(optionsOf(config, baseDir))
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
}

import path from "node:path"
import type { SourceAdapter } from "@tablecast/core"
import * as z from "zod"
import * as CsvSource from "./CsvSource.ts"
import { CsvSourceOptions } from "./CsvSourceOptions.ts"
import { inspectCsv } from "./CsvInspection.ts"

/** A CSV file: the source options, with `path` relative to the config file's folder. */
export const CsvSourceConfig = z
  .object({ type: z.literal("csv") })
  .extend(CsvSourceOptions.shape)
  .strict()
export type CsvSourceConfig = z.output<typeof CsvSourceConfig>

const optionsOf = ({ type: _type, ...options }: CsvSourceConfig, baseDir: string) => ({ ...options, path: path.resolve(baseDir, options.path) })

/** The CSV source as the apps plug it in (`source: { type: "csv", path, ... }`). */
export const csvSource: SourceAdapter<CsvSourceConfig> = {
  type: "csv",
  schema: CsvSourceConfig,
  layer: (config, baseDir) => CsvSource.layer(optionsOf(config, baseDir)),
  describe: (config, baseDir, _env, options) => inspectCsv(optionsOf(config, baseDir), options),
  readsFrom: (config) => path.basename(config.path),
  configEntry: (config, baseDir, folder) => ({ entry: { ...config, path: path.relative(folder, path.resolve(baseDir, config.path)) } }),
  // Without the worker thread, whose heap and the copies of rows between threads cost about 10 MiB.
  oneThread: (config) => ({ ...config, worker: false })
}

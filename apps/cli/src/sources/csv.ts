import path from "node:path"
import { CsvSource, CsvSourceOptions } from "@tablecast/source-csv"
import { z } from "zod"
import type { SourceAdapter } from "./SourceAdapter.ts"

export const CsvSourceConfig = z.object({ type: z.literal("csv") }).extend(CsvSourceOptions.shape).strict()
export type CsvSourceConfig = z.output<typeof CsvSourceConfig>

export const csvSource: SourceAdapter<CsvSourceConfig> = {
  type: "csv",
  schema: CsvSourceConfig,
  layer: ({ type: _type, ...options }, baseDir) => CsvSource.layer({ ...options, path: path.resolve(baseDir, options.path) })
}

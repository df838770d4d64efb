import { z } from "zod"
import { csvSource, CsvSourceConfig } from "./csv.ts"

/** Every source the CLI can read; each entry's `type` names it in a config file. */
export const sourceAdapters = [csvSource] as const

export const SourceConfig = z.discriminatedUnion("type", [CsvSourceConfig])
export type SourceConfig = z.output<typeof SourceConfig>

export const sourceLayer = (config: SourceConfig, baseDir: string) => {
  switch (config.type) {
    case "csv":
      return csvSource.layer(config, baseDir)
  }
}

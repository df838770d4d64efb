import path from "node:path"
import type { SourceAdapter } from "@tablecast/core"
import * as z from "zod"
import { describeSource } from "./DuckDBInspector.ts"
import { layer } from "./DuckDBSource.ts"
import { DuckDBSourceOptions } from "./DuckDBSourceOptions.ts"

/**
 * A file or a SQL query over local files, read through an embedded DuckDB: `{ type: "duckdb",
 * file }` or `{ type: "duckdb", query, paths }`. Paths (`file`, `paths`, a `.sql` query file) are
 * relative to the config file's folder; paths inside the SQL text are relative to the current folder.
 */
export const DuckDBSourceConfig = z
  .object({ type: z.literal("duckdb") })
  .extend(DuckDBSourceOptions.shape)
  .strict()
export type DuckDBSourceConfig = z.output<typeof DuckDBSourceConfig>

const optionsOf = ({ type: _type, ...config }: DuckDBSourceConfig, baseDir: string) => ({
  ...config,
  ...(config.file === undefined ? {} : { file: path.resolve(baseDir, config.file) }),
  ...(config.paths === undefined ? {} : { paths: config.paths.map((each) => path.resolve(baseDir, each)) }),
  ...(config.query !== undefined && /^\S+\.sql$/i.test(config.query.trim()) ? { query: path.resolve(baseDir, config.query.trim()) } : {})
})

const relativeTo = (folder: string, baseDir: string, each: string) => path.relative(folder, path.resolve(baseDir, each)) || "."

/** The DuckDB source as the apps plug it in. */
export const duckdbSource: SourceAdapter<DuckDBSourceConfig> = {
  type: "duckdb",
  schema: DuckDBSourceConfig,
  layer: (config, baseDir) => layer(optionsOf(config, baseDir)),
  describe: (config, baseDir, _env, { samples }) => describeSource(optionsOf(config, baseDir), { samples }),
  readsFrom: (config) => (config.file === undefined ? (config.query === undefined ? undefined : "query") : path.basename(config.file)),
  // DuckDB's own worker threads down to one: a little less memory, slower on large files.
  oneThread: (config) => ({ ...config, threads: 1 }),
  configEntry: (config, baseDir, folder) => ({
    entry: {
      ...config,
      ...(config.file === undefined ? {} : { file: relativeTo(folder, baseDir, config.file) }),
      ...(config.paths === undefined ? {} : { paths: config.paths.map((each) => relativeTo(folder, baseDir, each)) }),
      ...(config.query !== undefined && /^\S+\.sql$/i.test(config.query.trim()) ? { query: relativeTo(folder, baseDir, config.query.trim()) } : {})
    }
  })
}

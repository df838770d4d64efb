import path from "node:path"
import type { SourceAdapter } from "@tablecast/core"
import * as z from "zod"
import { describeSource } from "./DatabricksInspector.ts"
import { layer } from "./DatabricksSource.ts"
import { DatabricksSourceOptions } from "./DatabricksSourceOptions.ts"

/**
 * A Databricks table or query: `{ type: "databricks", table | query, host?, httpPath?, catalog?,
 * schema? }`. Host, HTTP path, catalog and schema may come from DATABRICKS_HOST,
 * DATABRICKS_HTTP_PATH, DATABRICKS_CATALOG and DATABRICKS_SCHEMA; the credentials only ever from
 * DATABRICKS_TOKEN or DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET — never from the file.
 */
export const DatabricksSourceConfig = z
  .object({ type: z.literal("databricks") })
  .extend(DatabricksSourceOptions.shape)
  .strict()
export type DatabricksSourceConfig = z.output<typeof DatabricksSourceConfig>

const optionsOf = ({ type: _type, ...config }: DatabricksSourceConfig, baseDir: string) => ({
  ...config,
  ...(config.query !== undefined && /^\S+\.sql$/i.test(config.query.trim()) ? { query: path.resolve(baseDir, config.query.trim()) } : {}),
  ...(config.caCertPath === undefined ? {} : { caCertPath: path.resolve(baseDir, config.caCertPath) })
})

const relativeTo = (folder: string, baseDir: string, each: string) => path.relative(folder, path.resolve(baseDir, each)) || "."

/** The Databricks source as the apps plug it in. */
export const databricksSource: SourceAdapter<DatabricksSourceConfig> = {
  type: "databricks",
  schema: DatabricksSourceConfig,
  layer: (config, baseDir, env) => layer(optionsOf(config, baseDir), env),
  describe: (config, baseDir, env, { samples }) => describeSource(optionsOf(config, baseDir), { samples }, env),
  readsFrom: (config) => config.table ?? (config.query === undefined ? undefined : "query"),
  // No secret is ever in the entry: the credentials are variables.
  configEntry: (config, baseDir, folder) => ({
    entry: {
      ...config,
      ...(config.query !== undefined && /^\S+\.sql$/i.test(config.query.trim())
        ? { query: relativeTo(folder, baseDir, config.query.trim()) }
        : {}),
      ...(config.caCertPath === undefined ? {} : { caCertPath: relativeTo(folder, baseDir, config.caCertPath) })
    }
  })
}

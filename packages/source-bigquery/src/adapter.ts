import path from "node:path"
import type { SourceAdapter } from "@tablecast/core"
import * as z from "zod"
import { describeSource } from "./BigQueryInspector.ts"
import { layer } from "./BigQuerySource.ts"
import { BigQuerySourceOptions } from "./BigQuerySourceOptions.ts"

/**
 * A BigQuery table or query: `{ type: "bigquery", table | query, projectId?, location?,
 * maximumBytesBilled?, ... }`. Credentials are never in the file: the service account key file
 * named by GOOGLE_APPLICATION_CREDENTIALS.
 */
export const BigQuerySourceConfig = z
  .object({ type: z.literal("bigquery") })
  .extend(BigQuerySourceOptions.shape)
  .strict()
export type BigQuerySourceConfig = z.output<typeof BigQuerySourceConfig>

const options = ({ type: _type, ...config }: BigQuerySourceConfig, baseDir: string) => ({
  ...config,
  ...(config.query !== undefined && /^\S+\.sql$/i.test(config.query.trim()) ? { query: path.resolve(baseDir, config.query.trim()) } : {})
})

/** The BigQuery source as the apps plug it in. */
export const bigquerySource: SourceAdapter<BigQuerySourceConfig> = {
  type: "bigquery",
  schema: BigQuerySourceConfig,
  layer: (config, baseDir, env) => layer(options(config, baseDir), env),
  describe: (config, baseDir, env, { samples }) => describeSource(options(config, baseDir), { samples }, env),
  readsFrom: (config) => config.table ?? (config.query === undefined ? undefined : "query"),
  configEntry: (config) => ({ entry: config })
}

import type { RowSource, SourceError } from "@tablecast/core"
import type { SourceDescription, TableSummary } from "@tablecast/source-sql"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as z from "zod"

export type { ColumnSummary, SourceDescription, TableSummary } from "@tablecast/source-sql"

export interface DescribeOptions {
  /** Sample values per column. */
  readonly samples: number
  /** Rows read to judge types, nulls and uniqueness where the source cannot say (CSV). */
  readonly scanRows: number
}

/**
 * What the CLI needs from a source package: the schema of its config-file entry (`source: {type,
 * ...}`), how to build its RowSource, and what `tablecast inspect` shows of it.
 */
export interface SourceAdapter<Config extends { readonly type: string }> {
  readonly type: Config["type"]
  readonly schema: z.ZodType<Config>
  /** Paths in the config are relative to `baseDir` (the config file's folder, or the cwd). */
  readonly layer: (config: Config, baseDir: string, env: NodeJS.ProcessEnv) => Layer.Layer<RowSource, SourceError>
  /** Columns, types, samples and a row estimate of the table, query or file. */
  readonly describe: (config: Config, baseDir: string, env: NodeJS.ProcessEnv, options: DescribeOptions) => Effect.Effect<SourceDescription, SourceError>
  /** The tables a warehouse connection can read (not for files). */
  readonly listTables?: (config: Config, env: NodeJS.ProcessEnv) => Effect.Effect<ReadonlyArray<TableSummary>, SourceError>
}

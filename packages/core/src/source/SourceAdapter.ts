import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as z from "zod"
import type { RowSource, SourceError } from "./RowSource.ts"
import type { SourceDescription, TableSummary } from "./SourceDescription.ts"

/** The environment variables a source may read (its driver's usual ones, or those its entry names). */
export type SourceEnv = Readonly<Record<string, string | undefined>>

export interface DescribeOptions {
  /** Sample values per column. */
  readonly samples: number
  /** Rows read to judge types, nulls and uniqueness where the source cannot say (CSV). */
  readonly scanRows: number
}

/**
 * What an app needs from a source package, exported from its `./adapter` subpath: the schema of
 * its config-file entry (`source: {type, ...}`), how to build its RowSource, and what
 * `tablecast inspect` shows of it. Secret settings (`passwordEnv`, ...) are read from `env`, never
 * from the entry; a wrong one throws a `SecretSettingError`.
 */
export interface SourceAdapter<Config extends { readonly type: string } = { readonly type: string }> {
  readonly type: Config["type"]
  readonly schema: z.ZodType<Config>
  /** Paths in the config are relative to `baseDir` (the config file's folder, or the cwd). */
  readonly layer: (config: Config, baseDir: string, env: SourceEnv) => Layer.Layer<RowSource, SourceError>
  /** Columns, types, samples and a row estimate of the table, query or file. */
  readonly describe: (config: Config, baseDir: string, env: SourceEnv, options: DescribeOptions) => Effect.Effect<SourceDescription, SourceError>
  /** The tables a warehouse connection can read (not for files). */
  readonly listTables?: (config: Config, env: SourceEnv) => Effect.Effect<ReadonlyArray<TableSummary>, SourceError>
  /**
   * What the entry reads, to name a sync proposed from it: the file's name, the table, "query";
   * undefined when it names no table or query (a connection alone, whose tables `listTables` gives).
   */
  readonly readsFrom: (config: Config) => string | undefined
  /** The entry as written into a config file in `folder` (`tablecast inspect --write-config`). */
  readonly configEntry: (config: Config, baseDir: string, folder: string) => ConfigEntry<Config>
  /**
   * The entry set to read on one thread (memory before speed: the CLI's `--low-memory`), for a
   * source that can read on another; absent where the source reads on one thread anyway.
   */
  readonly oneThread?: (config: Config) => Config
  /**
   * The variable the source's driver reads a password from when a connection URL leaves it out
   * (`PGPASSWORD`): what an app names instead of a password written into a URL it was given.
   */
  readonly passwordVariable?: string
}

/** A source entry to write into a config file: never a secret, and paths relative to the file. */
export interface ConfigEntry<Config> {
  readonly entry: Config
  /** The variable named (`urlEnv`) instead of a URL that held a password: the user sets it before running. */
  readonly urlMovedTo?: string
}

import type { RowSource, SourceError } from "@tablecast/core"
import type { Layer } from "effect"
import type { z } from "zod"

/**
 * What the CLI needs from a source package: the schema of its config-file entry (`source: {type,
 * ...}`), how to build its RowSource, and how its flags map onto that entry.
 */
export interface SourceAdapter<Config extends { readonly type: string }> {
  readonly type: Config["type"]
  readonly schema: z.ZodType<Config>
  /** Paths in the config are relative to `baseDir` (the config file's folder, or the cwd). */
  readonly layer: (config: Config, baseDir: string) => Layer.Layer<RowSource, SourceError>
}

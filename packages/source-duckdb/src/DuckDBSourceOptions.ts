import { BinaryMapping } from "@tablecast/source-sql"
import * as z from "zod"

/** The file formats DuckDB reads for a `file`, by extension. */
export const FILE_FORMATS = {
  ".parquet": "parquet",
  ".ndjson": "ndjson",
  ".jsonl": "ndjson",
  ".json": "json",
  ".csv": "csv",
  ".tsv": "csv"
} as const
export type FileFormat = (typeof FILE_FORMATS)[keyof typeof FILE_FORMATS]

/**
 * A DuckDB source: either a `file` (Parquet, NDJSON/JSON Lines, JSON or CSV, by extension or
 * `format`; a glob such as `scores/*.parquet` reads every file it matches) or a `query` (one
 * SELECT over local files, text or a `.sql` file) with the `paths` it may read.
 */
export const DuckDBSourceOptions = z
  .object({
    file: z.string().min(1).optional(),
    /** The file's format when its extension does not say it. */
    format: z.enum(["parquet", "ndjson", "json", "csv"]).optional(),
    query: z.string().min(1).optional(),
    /**
     * Absolute files or folders a `query` may read (DuckDB refuses every other path); a `file`
     * may read itself (a glob, its folder) only.
     */
    paths: z.array(z.string().min(1)).optional(),
    /** DECIMAL and big integers: numbers only where exact (default), or always strings. */
    bigNumbers: z.enum(["string", "number-if-exact"]).default("number-if-exact"),
    /** What a BLOB column becomes: refused (the default), or text in base64 or hex. */
    binary: BinaryMapping.default("refuse"),
    /** DuckDB's worker threads (default 2): more reads faster and holds more row groups at once. */
    threads: z.number().int().min(1).max(64).default(2),
    /** DuckDB's memory limit, e.g. "256MB" (default): a query that needs more fails rather than spill to disk. */
    memoryLimit: z
      .string()
      .regex(/^\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)$/i, 'a size such as "256MB" or "1GiB"')
      .default("256MB")
  })
  .strict()
  .superRefine((options, ctx) => {
    if ((options.file === undefined) === (options.query === undefined)) {
      ctx.addIssue({ code: "custom", path: ["file"], message: "give either a file or a query (not both)" })
    }
    if (options.query !== undefined && (options.paths === undefined || options.paths.length === 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["paths"],
        message: "a query needs the files or folders it may read (paths; --duckdb <paths> on the command line)"
      })
    }
  })
export type DuckDBSourceOptionsInput = z.input<typeof DuckDBSourceOptions>
export type DuckDBSourceOptions = z.output<typeof DuckDBSourceOptions>

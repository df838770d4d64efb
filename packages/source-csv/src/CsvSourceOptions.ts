import { formatIssues, SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { availableParallelism } from "node:os"
import * as z from "zod"
import { columnNameProblems } from "./ColumnNames.ts"

/** Below this memory limit (a container's), a CSV file is read on one thread by default. */
const workerMemoryFloor = 512 * 2 ** 20

/**
 * Whether to parse in a worker thread when the options do not say: one core gains nothing from a
 * second thread, and a small container had better keep the 10 MiB or so the worker costs. `memoryLimit`
 * is the process's limit (a cgroup's), 0 or a huge number when there is none.
 */
export const workerFits = (cores: number, memoryLimit: number | undefined): boolean =>
  cores > 1 && (memoryLimit === undefined || memoryLimit === 0 || memoryLimit >= workerMemoryFloor)

const workerByDefault = (): boolean => workerFits(availableParallelism(), process.constrainedMemory?.())

/** Names a user may give instead of a literal tab (a shell makes "\t" awkward to pass). */
const tabNames = new Set(["tab", "\\t", "\t"])

/**
 * How to read a CSV file. The file is read as UTF-8 (with or without a byte order mark); other
 * encodings (UTF-16, Latin-1, ...) are not supported: convert the file first (e.g. with `iconv`).
 */
export const CsvSourceOptions = z
  .object({
    /** The file to read. */
    path: z.string().min(1, "a CSV source needs a file path"),
    /** Field separator; "tab" (or "\t") for tab-separated files. */
    delimiter: z
      .string()
      .min(1, "the delimiter cannot be empty")
      .default(",")
      .transform((delimiter) => (tabNames.has(delimiter) ? "\t" : delimiter)),
    /** Quote character, or `false` for a file whose fields are never quoted. */
    quote: z.union([z.string().length(1, "the quote must be one character"), z.literal(false)]).default('"'),
    /** Escape character inside quoted fields. Defaults to the quote itself (`""` is a quote, RFC 4180). */
    escape: z.string().length(1, "the escape must be one character").optional(),
    /** Whether the first row names the columns. Without a header, `columns` must name them. */
    header: z.boolean().default(true),
    /** Column names, in file order: the names when there is no header, or new names for the header's columns. */
    columns: z.array(z.string()).min(1, "columns cannot be an empty list").optional(),
    /** Whether blank lines are skipped silently (true) or reported as malformed rows (false). */
    skipEmptyLines: z.boolean().default(true),
    /**
     * Parse in a worker thread, beside the thread that maps and sends: on a machine with two cores
     * or more a sync runs faster, for about 10 MiB more memory. `false` keeps all the work on one
     * thread. The default: a worker when the process may use two cores or more and at least
     * 512 MiB of memory (`workerFits`).
     */
    worker: z.boolean().default(workerByDefault),
    /** Only UTF-8 is read (a byte order mark is skipped). */
    encoding: z
      .enum(["utf-8", "utf8", "UTF-8"], { error: "only UTF-8 files are read: convert the file to UTF-8 first" })
      .default("utf-8")
      .transform((): "utf-8" => "utf-8")
  })
  .strict()
  .superRefine((options, ctx) => {
    if (!options.header && options.columns === undefined) {
      ctx.addIssue({ code: "custom", path: ["columns"], message: "a file without a header row needs `columns` to name its columns" })
    }
    if (options.columns !== undefined) {
      for (const problem of columnNameProblems(options.columns)) {
        ctx.addIssue({ code: "custom", path: ["columns"], message: problem })
      }
    }
    if (options.quote !== false && options.delimiter === options.quote) {
      ctx.addIssue({ code: "custom", path: ["quote"], message: "the quote and the delimiter must differ" })
    }
  })

/** CSV source options as the user writes them (defaults optional). */
export type CsvSourceOptionsInput = z.input<typeof CsvSourceOptions>
/** Checked CSV source options with defaults filled in. */
export type CsvSourceOptions = z.output<typeof CsvSourceOptions>

/** Checks the options as the user wrote them; a problem is a `SourceError` naming the option. */
export const parseOptions = (input: CsvSourceOptionsInput): Effect.Effect<CsvSourceOptions, SourceError> => {
  const parsed = CsvSourceOptions.safeParse(input)
  return parsed.success
    ? Effect.succeed(parsed.data)
    : Effect.fail(new SourceError({ message: `invalid CSV source options:\n${formatIssues(parsed.error)}`, code: "options" }))
}

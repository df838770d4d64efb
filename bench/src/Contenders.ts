import { mapping } from "./Dataset.ts"
import { ensureParquet } from "./parquet/ParquetDataset.ts"
import { builtEntry, cliEntry } from "./Paths.ts"
import { cliFlagsFor } from "./Settings.ts"

/** Where a contender reads the rows from and sends them to. */
export interface RunInput {
  readonly csvPath: string
  /** The Postgres table holding the same rows (when a server is there). */
  readonly table?: string
  readonly endpoint: string
  /** A fresh folder for the run's checkpoints, so that no run resumes another. */
  readonly stateDir: string
}

/** What a contender says it did, from its own output. */
export interface ContenderOutput {
  readonly rowsRead: number
  /** Batches built but not sent (the bare bound sends nothing). */
  readonly plannedBatches?: number
  readonly plannedBytes?: number
  /** Requests sent again, as the contender counts them (tablecast's report). */
  readonly retries?: number
  /**
   * The sending policy's own figures from tablecast's report when it has them (final concurrency,
   * request rate, time waited on 429s): whatever fields it names so, read without assuming a shape.
   */
  readonly sending?: Readonly<Record<string, number | string | boolean>>
  readonly note?: string
}

export interface Contender {
  /** Short name, for `--only`. */
  readonly key: string
  /** Name in the table. */
  readonly label: string
  readonly sends: boolean
  readonly needsPostgres: boolean
  /** `tablecast sync` itself (flags of the CLI apply). */
  readonly cli?: boolean
  /** Arguments to `node` (after the preload). */
  readonly args: (input: RunInput) => ReadonlyArray<string>
  /** Makes the contender's input from the run's (the Parquet file of the CSV's rows), before it is measured. */
  readonly prepare?: (input: Omit<RunInput, "endpoint" | "stateDir">) => Promise<void>
  readonly env?: Readonly<Record<string, string>>
  readonly readOutput: (stdout: string) => ContenderOutput
}

const lastJsonLine = (stdout: string): Record<string, unknown> => {
  const lines = stdout.trim().split("\n")
  // The CLI prints its report as indented JSON: take the last top-level object.
  const start = lines.findLastIndex((line) => line === "{" || line.startsWith("{"))
  if (start === -1) throw new Error(`no JSON in the output: ${stdout.slice(-300)}`)
  return JSON.parse(lines.slice(start).join("\n")) as Record<string, unknown>
}

/** Field names of the sending policy's figures, wherever they sit in the report. */
const SENDING_FIELD = /sending|concurren|inflight|in_flight|rps|persecond|per_second|rate|429|retryafter|wait|throttl|limit/i

/** Every leaf of the report whose path names the sending policy, as `path: value`. */
export const sendingFieldsOf = (report: unknown, prefix = ""): Record<string, number | string | boolean> => {
  const found: Record<string, number | string | boolean> = {}
  if (report === null || typeof report !== "object" || Array.isArray(report)) return found
  for (const [key, value] of Object.entries(report as Record<string, unknown>)) {
    const at = prefix === "" ? key : `${prefix}.${key}`
    if (at === "batches.retries" || at.startsWith("rejects.") || at.startsWith("checkpoint.")) continue
    if (value !== null && typeof value === "object" && !Array.isArray(value)) Object.assign(found, sendingFieldsOf(value, at))
    else if ((typeof value === "number" || typeof value === "string" || typeof value === "boolean") && SENDING_FIELD.test(at)) found[at] = value
  }
  return found
}

/** Reads a delivery report (CLI `--json` or the library runner). */
export const readReport = (stdout: string): ContenderOutput => {
  const report = lastJsonLine(stdout) as {
    outcome: string
    rows: { read: number; rejected: number }
    messages: { accepted: number; refused: number; undelivered: number }
    batches?: { retries?: number }
    fatal?: { message: string }
  }
  const sending = sendingFieldsOf(report)
  const problems = [
    report.outcome === "completed" ? undefined : `outcome ${report.outcome}`,
    report.rows.rejected > 0 ? `${report.rows.rejected} rows rejected` : undefined,
    report.messages.refused + report.messages.undelivered > 0
      ? `${report.messages.refused + report.messages.undelivered} messages not delivered`
      : undefined,
    report.fatal?.message
  ].filter((problem) => problem !== undefined)
  return {
    rowsRead: report.rows.read,
    ...(typeof report.batches?.retries === "number" ? { retries: report.batches.retries } : {}),
    ...(Object.keys(sending).length === 0 ? {} : { sending }),
    ...(problems.length === 0 ? {} : { note: problems.join("; ") })
  }
}

const syncFlags = (input: RunInput, source: ReadonlyArray<string>) => [
  "sync",
  ...source,
  "--event",
  mapping.event,
  "--customer-id",
  mapping.customerId,
  "--timestamp",
  mapping.timestamp,
  "--endpoint",
  input.endpoint,
  "--json",
  "--progress",
  "none",
  "--state-dir",
  input.stateDir
]
const csvFile = (input: RunInput) => ["--file", input.csvPath]

/** `tablecast sync` over the CSV file (or, `postgres`, the table), with these extra flags. */
export const cliContender = (key: string, label: string, flags: ReadonlyArray<string>, postgres = false): Contender => ({
  key,
  label,
  sends: true,
  needsPostgres: postgres,
  cli: true,
  args: (input) => [cliEntry, ...syncFlags(input, postgres ? ["--postgres", "env", "--table", input.table ?? ""] : csvFile(input)), ...flags],
  env: { SEGMENT_WRITE_KEY: "bench-write-key" },
  readOutput: readReport
})

/** `tablecast sync --file <the same rows>.parquet`: the DuckDB source, with these extra flags. */
export const parquetContender = (key: string, label: string, flags: ReadonlyArray<string>): Contender => ({
  key,
  label,
  sends: true,
  needsPostgres: false,
  cli: true,
  prepare: async (input) => {
    await ensureParquet(input.csvPath)
  },
  args: (input) => [cliEntry, ...syncFlags(input, ["--file", input.csvPath.replace(/\.csv$/, ".parquet")]), ...flags],
  env: { SEGMENT_WRITE_KEY: "bench-write-key" },
  readOutput: readReport
})

/** The `@segment/analytics-node` script with this `flushAt` ("defaults": the library's own, 15). */
export const analyticsNodeContender = (key: string, label: string, flushAt: string): Contender => ({
  key,
  label,
  sends: true,
  needsPostgres: false,
  args: (input) => [builtEntry("runners/analyticsNode.js"), input.csvPath, input.endpoint, flushAt],
  readOutput: (stdout) => {
    const out = lastJsonLine(stdout) as { rows: number; deliveryFailures: number; firstFailure?: string }
    return {
      rowsRead: out.rows,
      ...(out.deliveryFailures === 0 ? {} : { note: `${out.deliveryFailures} delivery failures reported (first: ${out.firstFailure ?? "?"})` })
    }
  }
})

export const contenders: ReadonlyArray<Contender> = [
  {
    key: "bare",
    label: "bare bound (no network)",
    sends: false,
    needsPostgres: false,
    args: (input) => [builtEntry("runners/bare.js"), input.csvPath],
    readOutput: (stdout) => {
      const out = lastJsonLine(stdout) as { rows: number; batches: number; bytes: number }
      return { rowsRead: out.rows, plannedBatches: out.batches, plannedBytes: out.bytes }
    }
  },
  cliContender("default", "tablecast, default settings", cliFlagsFor("default")),
  cliContender("bulk", "tablecast, bulk settings", cliFlagsFor("bulk")),
  analyticsNodeContender("analytics-node", "@segment/analytics-node script", "100"),
  cliContender("postgres", "tablecast, bulk, Postgres source", cliFlagsFor("bulk"), true),
  parquetContender("parquet", "tablecast, bulk, Parquet file (DuckDB source)", cliFlagsFor("bulk")),
  cliContender("low-memory", "tablecast, bulk settings, --low-memory", [...cliFlagsFor("bulk"), "--low-memory"]),
  cliContender("one-thread", "tablecast, bulk settings, one thread", [...cliFlagsFor("bulk"), "--no-worker"]),
  cliContender("gzip", "tablecast, bulk settings, gzip", [...cliFlagsFor("bulk"), "--gzip"]),
  {
    key: "library",
    label: "tablecast library, bulk (no CLI)",
    sends: true,
    needsPostgres: false,
    args: (input) => [builtEntry("runners/tablecastLibrary.js"), "csv", input.csvPath, input.endpoint, "bulk"],
    readOutput: readReport
  }
]

/** Also run on the memory run's larger file: tablecast as users run it, and with --low-memory. */
export const memoryContenders: ReadonlySet<string> = new Set(["default", "bulk", "low-memory", "parquet"])

/** Run only when asked for by name (`--only`): variations on another contender. */
export const optionalContenders: ReadonlySet<string> = new Set(["library", "gzip", "one-thread"])

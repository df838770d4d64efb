import { mkdtemp, readFile, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { ReceiverStats } from "../CountingReceiver.ts"
import { mapping } from "../Dataset.ts"
import { runProcess } from "../Measure.ts"
import { builtEntry, cliEntry } from "../Paths.ts"
import { startReceiverProcess } from "../Receiver.ts"
import { cliFlagsFor } from "../Settings.ts"
import type { ProcessUsage } from "../Usage.ts"
import { tolerance, tolerantColumns } from "./ChangedDataset.ts"

/** Where one CLI run reads from. */
export type RunSource = { readonly file: string } | { readonly table: string } | { readonly query: string }

/** One step of the scenario: a `tablecast sync`, incremental or not. */
export interface StepSpec {
  readonly key: string
  readonly label: string
  readonly source: RunSource
  /** With `--key customer_id` and the tolerances, against the scenario's snapshot file. */
  readonly incremental: boolean
  readonly full?: boolean
  /** Keep the snapshot in Postgres (`--state-postgres env`, the source's database) under this sync name. */
  readonly statePostgres?: { readonly name: string }
  /** More CLI flags (e.g. `--no-diff-in-database`). */
  readonly extraArgs?: ReadonlyArray<string>
}

/** What the incremental part of the CLI's report says (absent for a plain sync). */
export interface PlanCounts {
  readonly added: number
  readonly changed: number
  readonly unchanged: number
  readonly withinTolerance: number
  readonly removed: number
  readonly duplicates: number
  /** Unchanged rows the database left out of the read (diff in the database). */
  readonly unchangedAtSource?: number
}

export interface StepResult {
  readonly key: string
  readonly label: string
  readonly seconds: number
  readonly cpuSeconds: number
  readonly peakRssBytes: number
  readonly rowsRead: number
  readonly requests: number
  readonly messagesReceived: number
  readonly distinctMessageIds: number
  readonly bytesReceived: number
  /** Snapshot file and its write-ahead log after the run (0 for a plain sync). */
  readonly snapshotBytes: number
  readonly outcome: string
  readonly plan?: PlanCounts
  readonly receiver?: ReceiverStats
  readonly exitCode: number | null
  readonly notes: ReadonlyArray<string>
}

/** The flags of the benchmark's incremental sync: the customer id as key, 0.01 on each probability. */
export const incrementalFlags = (stateDb: string): ReadonlyArray<string> => [
  "--key",
  mapping.customerId,
  ...tolerantColumns.flatMap((column) => ["--tolerance", `${column}=${tolerance}`]),
  "--state-db",
  stateDb
]

const sourceFlags = (source: RunSource): ReadonlyArray<string> =>
  "file" in source
    ? ["--file", source.file]
    : "table" in source
      ? ["--postgres", "env", "--table", source.table]
      : ["--postgres", "env", "--query", source.query]

/** The CLI's arguments for a step (bulk settings: what docs/performance.md recommends at this size). */
export const cliArgs = (step: StepSpec, endpoint: string, stateDb: string, checkpointDir: string): ReadonlyArray<string> => [
  cliEntry,
  "sync",
  ...sourceFlags(step.source),
  "--event",
  mapping.event,
  "--customer-id",
  mapping.customerId,
  "--timestamp",
  mapping.timestamp,
  "--endpoint",
  endpoint,
  "--json",
  "--progress",
  "none",
  "--state-dir",
  checkpointDir,
  ...cliFlagsFor("bulk"),
  ...(step.incremental
    ? step.statePostgres === undefined
      ? incrementalFlags(stateDb)
      : [...incrementalFlags(stateDb).slice(0, -2), "--state-postgres", "env", "--name", step.statePostgres.name]
    : []),
  ...(step.full === true ? ["--full"] : []),
  ...(step.extraArgs ?? [])
]

const fileBytes = async (file: string) => (await stat(file).catch(() => undefined))?.size ?? 0

/** The snapshot's size on disk: the SQLite file and what its write-ahead log still holds. */
export const snapshotBytes = async (stateDb: string): Promise<number> => (await fileBytes(stateDb)) + (await fileBytes(`${stateDb}-wal`))

const lastJson = (stdout: string): Record<string, unknown> => {
  const lines = stdout.trim().split("\n")
  const start = lines.findLastIndex((line) => line.startsWith("{"))
  if (start === -1) throw new Error(`no JSON in the output: ${stdout.slice(-300)}`)
  return JSON.parse(lines.slice(start).join("\n")) as Record<string, unknown>
}

/**
 * Runs one step: the built CLI in a process of its own (peak RSS and CPU from the preloaded usage
 * reporter), against a fresh counting receiver in another process.
 */
export const runStep = async (step: StepSpec, stateDb: string, cwd: string, nodeFlags: ReadonlyArray<string> = []): Promise<StepResult> => {
  const receiver = await startReceiverProcess()
  const scratch = await mkdtemp(path.join(tmpdir(), "tablecast-bench-incremental-"))
  const usageFile = path.join(scratch, "usage.json")
  try {
    const finished = await runProcess(
      [...nodeFlags, "--import", builtEntry("UsageReporter.js"), ...cliArgs(step, receiver.url, stateDb, path.join(scratch, "checkpoints"))],
      { SEGMENT_WRITE_KEY: "bench-write-key", BENCH_USAGE_FILE: usageFile },
      cwd
    )
    const usage = JSON.parse(await readFile(usageFile, "utf8").catch(() => '{"peakRssBytes":0,"cpuSeconds":0}')) as ProcessUsage
    const stats = await receiver.stats()
    const notes: Array<string> = []
    if (finished.code !== 0) notes.push(`exit code ${finished.code}: ${finished.stderr.trim().split("\n").slice(-3).join(" | ")}`)
    let rowsRead = 0
    let outcome = "unknown"
    let plan: PlanCounts | undefined
    try {
      const report = lastJson(finished.stdout) as {
        outcome: string
        rows: { read: number; rejected: number }
        messages: { refused: number; undelivered: number }
        incremental?: { rows: PlanCounts; diffInDatabase?: boolean }
        fatal?: { message: string }
      }
      rowsRead = report.rows.read
      outcome = report.outcome
      plan = report.incremental?.rows
      if (report.incremental?.diffInDatabase !== undefined) {
        notes.push(
          report.incremental.diffInDatabase
            ? `diff in the database: ${report.incremental.rows.unchangedAtSource ?? 0} unchanged rows never read`
            : "diff in the database: not this run (digests recorded)"
        )
      }
      if (report.outcome !== "completed") notes.push(`outcome ${report.outcome}${report.fatal === undefined ? "" : `: ${report.fatal.message}`}`)
      if (report.rows.rejected > 0) notes.push(`${report.rows.rejected} rows rejected`)
      if (report.messages.refused + report.messages.undelivered > 0) notes.push("messages not delivered")
    } catch (error) {
      notes.push(`unreadable output: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (stats.duplicateMessageIds > 0) notes.push(`${stats.duplicateMessageIds} duplicate messageIds`)
    if (stats.refused > 0 || stats.verifyFailures > 0) notes.push("the receiver refused or could not parse batches")
    return {
      key: step.key,
      label: step.label,
      seconds: finished.seconds,
      cpuSeconds: usage.cpuSeconds,
      peakRssBytes: usage.peakRssBytes,
      rowsRead,
      requests: stats.requests,
      messagesReceived: stats.messages,
      distinctMessageIds: stats.distinctMessageIds,
      bytesReceived: stats.bytes,
      snapshotBytes: step.incremental ? await snapshotBytes(stateDb) : 0,
      outcome,
      ...(plan === undefined ? {} : { plan }),
      receiver: stats,
      exitCode: finished.code,
      notes
    }
  } finally {
    await receiver.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}

/**
 * The scenario of issue #6, in order, against one snapshot file that starts empty: the first run
 * (every row is added), a run on the same output (nothing changed), a run on the next night's
 * output (1% changed, 0.1% jittered within tolerance), a `--full` rerun and a plain sync. Each
 * further round repeats the cheap runs without starting over: a no-change run on the output the
 * snapshot now holds, a 1%-change run back to the other night's output (the same rows move back),
 * and a plain sync, so that their medians do not cost another first and full run each.
 */
export const scenario = (
  base: RunSource,
  changed: RunSource,
  options: { readonly rounds?: number; readonly full?: boolean } = {}
): ReadonlyArray<StepSpec> => {
  const steps: Array<StepSpec> = [
    { key: "first", label: "first run (empty snapshot: all added)", source: base, incremental: true },
    { key: "no-change", label: "no-change run", source: base, incremental: true },
    { key: "one-percent", label: "1%-change run", source: changed, incremental: true }
  ]
  if (options.full !== false) steps.push({ key: "full", label: "--full rerun", source: changed, incremental: true, full: true })
  steps.push({ key: "plain", label: "plain sync (no --key)", source: base, incremental: false })
  let current = changed
  for (let round = 2; round <= (options.rounds ?? 1); round++) {
    const other = current === changed ? base : changed
    steps.push(
      { key: "no-change", label: "no-change run", source: current, incremental: true },
      { key: "one-percent", label: "1%-change run", source: other, incremental: true },
      { key: "plain", label: "plain sync (no --key)", source: base, incremental: false }
    )
    current = other
  }
  return steps
}

import type { DeliveryReport, FatalError, RunOutcome } from "./DeliveryReport.ts"
import { type Fatal, fatalRecord } from "./Fatal.ts"

/**
 * What `tablecast sync` exits with (docs/exit-codes.md), so a scheduler can tell a bad model
 * output from an outage. One table for the CLI, the Promise API's `exitCode` and the edge's run
 * records. 2 is also what oclif uses for a flag it cannot parse.
 */
export const ExitCode = {
  /** Every row read was delivered. */
  ok: 0,
  /** An unexpected error (a bug): the message says what happened. */
  internal: 1,
  /** The command line or the config file is wrong; nothing was read or sent. */
  usage: 2,
  /** Everything valid was delivered, but some rows were rejected (see the rejects file). */
  rowsRejected: 3,
  /** Some batches were refused by the endpoint, or it could not be reached within the retry budget (the run stopped). */
  incomplete: 4,
  /** The endpoint refused the write key: the run stopped at once. */
  authRefused: 5,
  /** The source failed (missing file, connection, query) or does not have the sync's columns. */
  sourceFailed: 6,
  /** The source changed since an interrupted run: resume would be wrong; run with --restart. */
  sourceChanged: 7,
  /** An incremental run's changes were over the guard: nothing was sent (check the model, or --force). */
  guardTripped: 8,
  /** The state store of an incremental sync could not be opened, read or written. */
  stateFailed: 9,
  /** The books did not balance: rows or messages unaccounted for (a bug; the message gives the counts). */
  unbalanced: 10,
  /**
   * An output (the report, the rejects file, the checkpoint or the state folder) is unusable: at
   * the preflight, before anything was read or sent, or on a write that failed mid-run (the run
   * stopped cleanly; the report says what was and was not delivered).
   */
  outputFailed: 11,
  /** This Node is older than 22.15: every command stops at once with one line. */
  nodeUnsupported: 12,
  /** The source or state store needs a driver package that is not installed; the message names it and how to install it. */
  driverMissing: 13,
  /** Stopped by a signal (SIGINT/SIGTERM) after flushing what it could. */
  interrupted: 130
} as const

/** The exit code of each way a run stops early, by the report's kind: a new kind without a code is a type error. */
export const exitCodeOfFatalKind = {
  auth: ExitCode.authRefused,
  unreachable: ExitCode.incomplete,
  spec: ExitCode.sourceFailed,
  source: ExitCode.sourceFailed,
  "source-changed": ExitCode.sourceChanged,
  checkpoint: ExitCode.outputFailed,
  output: ExitCode.outputFailed,
  interrupted: ExitCode.interrupted,
  "max-rejects": ExitCode.rowsRejected,
  guard: ExitCode.guardTripped,
  state: ExitCode.stateFailed,
  internal: ExitCode.internal,
  unbalanced: ExitCode.unbalanced
} as const satisfies { readonly [Kind in FatalError["kind"]]: number }

/** The exit code of a run that stopped early on this cause. */
export const exitCodeOfFatal = (fatal: Fatal): number => exitCodeOfFatalKind[fatalRecord(fatal).kind]

/** How a run ended, as far as its exit code goes. */
export interface RunEnding {
  readonly outcome: RunOutcome
  readonly fatal?: Pick<FatalError, "kind"> | undefined
  /** Rows rejected. */
  readonly rejected: number
}

/** What a run exits with: its fatal cause's code, else 4 when incomplete, 3 with rejected rows, 0. */
export const exitCodeOfEnding = (ending: RunEnding): number => {
  if (ending.fatal !== undefined) return exitCodeOfFatalKind[ending.fatal.kind]
  if (ending.outcome === "incomplete") return ExitCode.incomplete
  return ending.rejected > 0 ? ExitCode.rowsRejected : ExitCode.ok
}

/** What a run with this report exits with (`exitCodeOfEnding` of its outcome, fatal cause and rejects). */
export const exitCodeOfReport = (report: DeliveryReport): number =>
  exitCodeOfEnding({ outcome: report.outcome, fatal: report.fatal, rejected: report.rows.rejected + (report.rows.removalsRejected ?? 0) })

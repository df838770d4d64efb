import type { DeliveryReport } from "@tablecast/core"

/**
 * What `tablecast sync` exits with, so a scheduler can tell a bad model output from an outage.
 * 2 is also what oclif uses for a flag it cannot parse.
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
  /** Stopped by a signal (SIGINT/SIGTERM) after flushing what it could. */
  interrupted: 130
} as const

export const exitCodeOf = (report: DeliveryReport): number => {
  if (report.fatal !== undefined) {
    switch (report.fatal.kind) {
      case "auth":
        return ExitCode.authRefused
      case "source":
      case "spec":
        return ExitCode.sourceFailed
      case "source-changed":
        return ExitCode.sourceChanged
      case "checkpoint":
      case "output":
        return ExitCode.outputFailed
      case "interrupted":
        return ExitCode.interrupted
      case "max-rejects":
        return ExitCode.rowsRejected
      case "guard":
        return ExitCode.guardTripped
      case "state":
        return ExitCode.stateFailed
      case "internal":
        return ExitCode.internal
      case "unbalanced":
        return ExitCode.unbalanced
      case "unreachable":
        return ExitCode.incomplete
    }
  }
  if (report.outcome === "incomplete") return ExitCode.incomplete
  return report.rows.rejected > 0 ? ExitCode.rowsRejected : ExitCode.ok
}

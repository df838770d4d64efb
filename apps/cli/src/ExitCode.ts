import { ConfigError } from "@tablecast/config"
import { type DeliveryReport, type Fatal, fatalOfRecord, SecretSettingError } from "@tablecast/core"
import { OutputLocationError } from "./OutputFiles.ts"
import { DriverMissingError } from "./sources/Drivers.ts"
import { StartError } from "./StartError.ts"

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
  /** This Node is older than 22.15: every command stops at once with one line (bin/nodeGuard.js). */
  nodeUnsupported: 12,
  /** The source or state store needs a driver package that is not installed; the message names it and how to install it. */
  driverMissing: 13,
  /** Stopped by a signal (SIGINT/SIGTERM) after flushing what it could. */
  interrupted: 130
} as const

/** The exit code of each way a run stops early: a new cause without a code is a type error. */
const exitCodeOfFatalTag = {
  WriteKeyRefused: ExitCode.authRefused,
  EndpointUnreachable: ExitCode.incomplete,
  SpecInvalid: ExitCode.sourceFailed,
  SourceFailed: ExitCode.sourceFailed,
  SourceChanged: ExitCode.sourceChanged,
  CheckpointFailed: ExitCode.outputFailed,
  OutputFailed: ExitCode.outputFailed,
  Interrupted: ExitCode.interrupted,
  RejectLimitExceeded: ExitCode.rowsRejected,
  GuardTripped: ExitCode.guardTripped,
  StateFailed: ExitCode.stateFailed,
  InternalDefect: ExitCode.internal,
  BooksUnbalanced: ExitCode.unbalanced
} as const satisfies { readonly [Tag in Fatal["_tag"]]: number }

export const exitCodeOfFatal = (fatal: Fatal): number => exitCodeOfFatalTag[fatal._tag]

/** What a run exits with: its fatal cause's code, else 4 when incomplete, 3 with rejected rows, 0. */
export const exitCodeOf = (report: DeliveryReport): number => {
  if (report.fatal !== undefined) return exitCodeOfFatal(fatalOfRecord(report.fatal))
  if (report.outcome === "incomplete") return ExitCode.incomplete
  return report.rows.rejected > 0 ? ExitCode.rowsRejected : ExitCode.ok
}

/**
 * What `tablecast plan` exits with when no plan could be made (a guard that trips is a plan, and
 * exits 8 there): the state store failed, the books did not balance, or else the source failed.
 */
const planExitCodeOfFatalTag = {
  WriteKeyRefused: ExitCode.sourceFailed,
  EndpointUnreachable: ExitCode.sourceFailed,
  SpecInvalid: ExitCode.sourceFailed,
  SourceFailed: ExitCode.sourceFailed,
  SourceChanged: ExitCode.sourceFailed,
  CheckpointFailed: ExitCode.sourceFailed,
  OutputFailed: ExitCode.sourceFailed,
  Interrupted: ExitCode.sourceFailed,
  RejectLimitExceeded: ExitCode.sourceFailed,
  GuardTripped: ExitCode.sourceFailed,
  StateFailed: ExitCode.stateFailed,
  InternalDefect: ExitCode.sourceFailed,
  BooksUnbalanced: ExitCode.unbalanced
} as const satisfies { readonly [Tag in Fatal["_tag"]]: number }

export const planExitCodeOfFatal = (fatal: Fatal | undefined): number =>
  fatal === undefined ? ExitCode.sourceFailed : planExitCodeOfFatalTag[fatal._tag]

/** The errors a command stops on with a message alone (no stack trace): the user's input, a source, an output. */
export type CliError = ConfigError | SecretSettingError | StartError | OutputLocationError | DriverMissingError

export const isCliError = (error: unknown): error is CliError =>
  error instanceof ConfigError ||
  error instanceof SecretSettingError ||
  error instanceof StartError ||
  error instanceof OutputLocationError ||
  error instanceof DriverMissingError

/** The exit code of each error a command stops on: a new error without a code is a type error. */
const exitCodeOfErrorTag = {
  ConfigError: ExitCode.usage,
  // A secret setting (core's, thrown by a source adapter) is the user's input too.
  SecretSettingError: ExitCode.usage,
  StartError: ExitCode.sourceFailed,
  OutputLocationError: ExitCode.outputFailed,
  DriverMissingError: ExitCode.driverMissing
} as const satisfies { readonly [Tag in CliError["_tag"]]: number }

export const exitCodeOfError = (error: CliError): number => exitCodeOfErrorTag[error._tag]

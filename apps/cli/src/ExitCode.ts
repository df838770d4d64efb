import { ConfigError } from "@tablecast/config"
import { ExitCode, type Fatal, SecretSettingError } from "@tablecast/core"
import { OutputLocationError } from "./OutputFiles.ts"
import { DriverMissingError } from "./sources/Drivers.ts"
import { StartError } from "./StartError.ts"

// The exit-code table is core's, shared with the Promise API and the edge's run records.
export { ExitCode, exitCodeOfFatal, exitCodeOfReport as exitCodeOf } from "@tablecast/core"

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
  // --max-rejects over the plan's rows (the tracking plan's violations among them), as `sync` says it.
  RejectLimitExceeded: ExitCode.rowsRejected,
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

import { type DeliveryReport, ExitCode, exitCodeOfFatalKind, exitCodeOfReport as exitCodeOfReportInCore, type FatalError } from "@tablecast/core"

/**
 * What went wrong, in the words of the CLI's exit codes (docs/exit-codes.md): `options` is the
 * CLI's 2, `source` its 6, `auth` its 5, and every other kind is a {@link FatalError} kind of the
 * delivery report.
 */
export type TablecastErrorKind = "options" | "package-missing" | FatalError["kind"]

/** The exit code `tablecast sync` gives for each kind, for a program that passes it on (core's table). */
export const exitCodeOfKind: { readonly [Kind in TablecastErrorKind]: number } = {
  options: ExitCode.usage,
  "package-missing": ExitCode.driverMissing,
  ...exitCodeOfFatalKind
}

/** What `tablecast sync` would exit with for this report: a program can compare runs of both, and an alert says it. */
export const exitCodeOfReport = (report: DeliveryReport): number => exitCodeOfReportInCore(report)

/**
 * Every error `sync`, `preview` and `plan` reject with. `kind` says what went wrong, `exitCode`
 * what `tablecast sync` would exit with, and `report` what was and was not delivered when the run
 * had started. Messages never hold the write key or a password.
 */
export class TablecastError extends Error {
  override name = "TablecastError"
  /** What went wrong. */
  readonly kind: TablecastErrorKind
  /** The exit code the CLI gives for the same failure. */
  readonly exitCode: number
  /** The delivery report, when the run had started: every row read is accounted for in it. */
  readonly report: DeliveryReport | undefined

  constructor(kind: TablecastErrorKind, message: string, options: { readonly report?: DeliveryReport; readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.kind = kind
    this.exitCode = exitCodeOfKind[kind]
    this.report = options.report
  }
}

/** The options are wrong: nothing was read or sent. `option` names the one at fault, e.g. `event` or `source.path`. */
export class OptionsError extends TablecastError {
  override name = "OptionsError"
  /** The option at fault, as a path into the options (`pipeline.batchCount`), when one is. */
  readonly option: string | undefined

  constructor(message: string, option: string | undefined) {
    super("options", message)
    this.option = option
  }
}

/**
 * A warehouse's source package (or the Postgres state store's) is not installed: nothing was read
 * or sent. `packageName` is what to install, e.g. `npm install @tablecast/source-snowflake`.
 */
export class PackageMissingError extends TablecastError {
  override name = "PackageMissingError"
  /** The npm package to install. */
  readonly packageName: string
  /** The versions that work with this @tablecast/node. */
  readonly versionRange: string

  constructor(message: string, packageName: string, versionRange: string) {
    super("package-missing", message)
    this.packageName = packageName
    this.versionRange = versionRange
  }
}

/** The source could not be opened (a missing file, a refused connection): nothing was read or sent. */
export class SourceUnavailableError extends TablecastError {
  override name = "SourceUnavailableError"

  constructor(message: string) {
    super("source", message)
  }
}

/**
 * A run started and stopped early: the write key was refused, the endpoint was unreachable within
 * the retry budget, the source failed mid-way, too many rows were rejected, ... `report` says what
 * was delivered and what was not.
 */
export class SyncStoppedError extends TablecastError {
  override name = "SyncStoppedError"
  declare readonly report: DeliveryReport

  constructor(report: DeliveryReport & { readonly fatal: FatalError }) {
    super(report.fatal.kind, report.fatal.message, { report })
  }
}

/**
 * The run was stopped by its `AbortSignal`: reading stopped, what was queued and in flight was
 * flushed, and `report` says what was delivered. Its `name` is `"AbortError"`, as the platform's.
 */
export class SyncAbortedError extends SyncStoppedError {
  override name = "AbortError"
}

/** The error of a report that ended on a fatal cause; undefined for a run that finished. */
export const stoppedErrorOf = (report: DeliveryReport): SyncStoppedError | undefined => {
  const fatal = report.fatal
  if (fatal === undefined) return undefined
  const stopped = { ...report, fatal }
  return fatal.kind === "interrupted" ? new SyncAbortedError(stopped) : new SyncStoppedError(stopped)
}

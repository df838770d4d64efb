import { type DeliveryReport, type Fatal, type FatalError, fatalOfRecord, type RunOutcome } from "@tablecast/core"

/**
 * The exit code the CLI would have given a run with this ending (docs/exit-codes.md), for the
 * run record's `exitCode`: the same table as `apps/cli/src/ExitCode.ts`, which the edge cannot
 * import. A new cause in core without a code here is a type error.
 */
const exitCodeOfFatalTag = {
  WriteKeyRefused: 5,
  EndpointUnreachable: 4,
  SpecInvalid: 6,
  SourceFailed: 6,
  SourceChanged: 7,
  CheckpointFailed: 11,
  OutputFailed: 11,
  Interrupted: 130,
  RejectLimitExceeded: 3,
  GuardTripped: 8,
  StateFailed: 9,
  InternalDefect: 1,
  BooksUnbalanced: 10
} as const satisfies { readonly [Tag in Fatal["_tag"]]: number }

/** Its fatal cause's code, else 4 when incomplete, 3 with rejected rows, 0. */
export const edgeExitCodeOf = (ending: { readonly outcome: RunOutcome; readonly fatal?: FatalError; readonly rejected: number }): number => {
  if (ending.fatal !== undefined) return exitCodeOfFatalTag[fatalOfRecord(ending.fatal)._tag]
  if (ending.outcome === "incomplete") return 4
  return ending.rejected > 0 ? 3 : 0
}

/** The exit code of a run's delivery report. */
export const edgeExitCodeOfReport = (report: DeliveryReport): number =>
  edgeExitCodeOf({ outcome: report.outcome, rejected: report.rows.rejected, ...(report.fatal === undefined ? {} : { fatal: report.fatal }) })

import type { DeliveryReport } from "@tablecast/core"
import type { IncrementalPlan } from "@tablecast/incremental"
import { ExitCode, exitCodeOf } from "./ExitCode.ts"
import { failureJson } from "./JsonFailure.ts"
import { describeFsError, writeFileAtomically } from "./OutputFiles.ts"
import { durationLines, planText } from "./PlanText.ts"
import { reportText } from "./ReportText.ts"
import { failureLine } from "./SyncOutputs.ts"
import { terminalJson, terminalText } from "./TerminalText.ts"

/** What a sync ends with: its report, and an incremental sync's plan (undefined when it could not plan). */
export interface SyncResult {
  readonly report: DeliveryReport
  readonly plan: IncrementalPlan | undefined
}

/** Lines for stdout and stderr, each written with its own newline. */
export interface CommandText {
  readonly stdout: ReadonlyArray<string>
  readonly stderr: ReadonlyArray<string>
}

/** The report as JSON: printed with --json, written with --report. */
export const reportJson = (report: DeliveryReport): string => JSON.stringify(report, null, 2)

/**
 * What `tablecast sync` prints at the end: the report (JSON or text) on stdout, and the plan when
 * it says what would have been sent (a dry run, or a run the guard stopped); on stderr, a guard
 * warning and why the run did not end clean, in one line (with --json too: stdout stays JSON, and
 * a run that exits other than 0 has its error beside the report's fields: `{"error": {...}, ...}`).
 */
export const syncResultText = (
  { report, plan }: SyncResult,
  options: {
    readonly json: boolean
    readonly rejects: string | undefined
    /** The run's request rate, for the plan's expected duration. */
    readonly maxRps?: number | undefined
    /** What the run exits with, and why when not 0 (for --json's error). */
    readonly exit?: { readonly code: number; readonly problem?: string | undefined }
    /** The sync as the heading names it (`SyncTitle`); its namespace by default. */
    readonly title?: string
  }
): CommandText => {
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const reason = failureLine(report, options.rejects)
  const code = options.exit?.code ?? exitCodeOf(report)
  if (options.json) {
    stdout.push(
      code === ExitCode.ok
        ? terminalJson(reportJson(report))
        : failureJson({ code, message: options.exit?.problem ?? reason ?? "the run did not complete" }, report)
    )
  } else {
    stdout.push(reportText(report, options.rejects, options.title))
    if (plan !== undefined && (report.dryRun || report.fatal?.kind === "guard")) stdout.push(planText(plan, "plan", options.maxRps))
    // A dry run of a plain sync has no plan: its batches planned tell how long sending would take.
    else if (report.dryRun && options.maxRps !== undefined) {
      stdout.push(...durationLines({ messages: report.messages.built, requests: report.batches.planned }, options.maxRps))
    }
  }
  // A share over the guard that this mode does not stop on (see docs/incremental.md#the-guard).
  if (plan?.guard.warning !== undefined) stderr.push(`tablecast: guard warning: ${terminalText(plan.guard.warning)}`)
  if (reason !== undefined) stderr.push(`tablecast: ${terminalText(reason)}`)
  return { stdout, stderr }
}

/**
 * Writes the report file (--report) and gives the run's exit code. The report was printed before:
 * when the file cannot be written, what was and was not delivered is not lost, but a run that
 * would have exited 0, 3 or 4 exits 11 instead (a failure that says more keeps its code).
 */
export const writeReportFile = async (
  file: string | undefined,
  report: DeliveryReport
): Promise<{ readonly code: number; readonly problem?: string }> => {
  const code = exitCodeOf(report)
  if (file === undefined) return { code }
  try {
    await writeFileAtomically(file, `${reportJson(report)}\n`, { sync: true })
    return { code }
  } catch (error) {
    const problem = `--report ${file}: cannot write the report: ${describeFsError(error)}`
    const delivered = code === ExitCode.ok || code === ExitCode.rowsRejected || code === ExitCode.incomplete
    return { code: delivered ? ExitCode.outputFailed : code, problem }
  }
}

import { newestFirst, type RunHistory, type RunRecord } from "@tablecast/core"
import { describeFsError, writeFileAtomically } from "@tablecast/state-file"
import { ExitCode } from "./ExitCode.ts"
import type { HistorySource } from "./HistorySources.ts"
import { findRecordedRun } from "./RunsListing.ts"

/**
 * The run a report compares with: the newest run of the same sync that started before this one
 * and kept a profile (a run with none has nothing to compare); else the newest earlier run at all,
 * for its summary.
 */
export const previousRunOf = async (history: RunHistory, run: RunRecord): Promise<RunRecord | undefined> => {
  // Newest first; "earlier" by start time, then id, as the history orders runs.
  const earlier = (await history.list({ sync: run.sync })).filter((record) => record.id !== run.id && newestFirst(run, record) < 0)
  return earlier.find((record) => record.profile !== undefined) ?? earlier[0]
}

/**
 * Writes a run's HTML report, compared with the previous run of its sync in the history (a history
 * that cannot be read leaves the report without a comparison, and says so). Loaded only when a
 * report is asked for; the renderer and its chart library load with it. Gives the problem, if any.
 */
export const writeRunReportHtml = async (input: {
  readonly file: string
  readonly flag: string
  readonly run: RunRecord
  /** Where the run is kept (or would have been): its previous run is looked up there. */
  readonly history: HistorySource
}): Promise<{ readonly problem?: string; readonly warning?: string }> => {
  let previous: RunRecord | undefined
  let warning: string | undefined
  try {
    previous = await previousRunOf(await input.history.open(), input.run)
  } catch (error) {
    const why = (error as { _tag?: unknown })._tag === "StateError" ? (error as Error).message : describeFsError(error)
    warning = `${input.flag}: the run history ${input.history.location} cannot be read (${why}); the report has no comparison`
  }
  let document: string
  try {
    const { renderRunReport } = await import("@tablecast/report-html")
    document = renderRunReport({ run: input.run, previous })
  } catch (error) {
    // A report that cannot be drawn must not turn a delivered run into an internal error.
    return { problem: `${input.flag} ${input.file}: the report could not be drawn (${error instanceof Error ? error.message : String(error)})` }
  }
  try {
    await writeFileAtomically(input.file, document, { sync: true })
    return warning === undefined ? {} : { warning }
  } catch (error) {
    return {
      problem: `${input.flag} ${input.file}: cannot write the report: ${describeFsError(error)}`,
      ...(warning === undefined ? {} : { warning })
    }
  }
}

/**
 * A run's exit after its HTML report: a report that could not be written is an output failure
 * (11) for a run that delivered (0, 3, 4), as for --report; a run that failed otherwise keeps its code.
 */
export const reportHtmlExit = (
  exit: { readonly code: number; readonly problem?: string },
  problem: string | undefined
): { readonly code: number; readonly problem?: string } => {
  if (problem === undefined) return exit
  const delivered = exit.code === ExitCode.ok || exit.code === ExitCode.rowsRejected || exit.code === ExitCode.incomplete
  const problems = [exit.problem, problem].filter((text) => text !== undefined).join("; ")
  return { code: delivered ? ExitCode.outputFailed : exit.code, problem: problems }
}

/** `tablecast runs show <id> --html <file>`: the recorded run's report, compared with the runs of the source that holds it; gives the failure (exit code and message), if any. */
export const runReportHtmlOf = async (
  sources: ReadonlyArray<HistorySource>,
  id: string,
  file: string
): Promise<{ readonly code: number; readonly message: string } | undefined> => {
  const found = await findRecordedRun(sources, id)
  return "failure" in found
    ? found.failure
    : reportFailureOf(await writeRunReportHtml({ file, flag: "--html", run: found.run, history: found.source }))
}

/** An HTML report that could not be written, as `runs show --html` fails with it (exit 11). */
export const reportFailureOf = (written: { readonly problem?: string }): { readonly code: number; readonly message: string } | undefined =>
  written.problem === undefined ? undefined : { code: ExitCode.outputFailed, message: written.problem }

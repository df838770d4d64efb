import type { RunObserverShape, RunProfile } from "@tablecast/core"
import type { IncrementalPlan } from "@tablecast/incremental"

/** A run's profiler, as the commands hold it: the run's observer, and its profile at the end. */
export interface CliRunProfiler {
  readonly observer: RunObserverShape
  readonly profileOf: (report: { readonly startedAt: string }, plan: IncrementalPlan | undefined) => RunProfile
}

/**
 * The profiler of a run whose history is kept (the data behind `--report-html`): loaded when the
 * run starts, in a chunk of its own, so that a run with `--no-history` loads no sketch at all.
 */
export const runProfilerFor = async (history: boolean | undefined): Promise<CliRunProfiler | undefined> => {
  if (history === false) return undefined
  const { RunProfiler } = await import("@tablecast/core/profile")
  const profiler = new RunProfiler()
  return {
    observer: profiler,
    profileOf: (report, plan) => profiler.profile({ startedAtMillis: Date.parse(report.startedAt), movement: plan?.movement })
  }
}

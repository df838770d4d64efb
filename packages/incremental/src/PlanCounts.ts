import type { RunPlanCounts } from "@tablecast/core"
import type { IncrementalPlan } from "./IncrementalPlan.ts"

/** An incremental plan's counts, as a run record keeps them (the CLI's and the Promise API's history alike). */
export const planCountsOf = (plan: IncrementalPlan): RunPlanCounts => ({
  full: plan.full,
  added: plan.rows.added,
  changed: plan.rows.changed,
  unchanged: plan.rows.unchanged,
  removed: plan.rows.removed,
  duplicates: plan.rows.duplicates,
  guardTripped: plan.guard.tripped !== undefined && !plan.guard.forced
})

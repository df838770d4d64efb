import { CONTRACT_SAMPLE, type ContractReport } from "@tablecast/core"

/** Rows with violations, and unplanned event names, a combined report keeps: as many as one run's report. */
const Sample = CONTRACT_SAMPLE

const addCounts = (into: Record<string, number>, counts: Readonly<Record<string, number>>): void => {
  for (const [key, count] of Object.entries(counts)) into[key] = (into[key] ?? 0) + count
}

/**
 * The tracking-plan reports of a queued run's chunks as one: counts summed, counts per rule and per
 * property added up, the first rows with violations (in row order) and unplanned event names kept up
 * to the sample size. Undefined when no chunk had a plan.
 */
export const combineTrackingPlanReports = (reports: ReadonlyArray<ContractReport | undefined>): ContractReport | undefined => {
  const present = reports.filter((report): report is ContractReport => report !== undefined)
  const first = present[0]
  if (first === undefined) return undefined
  const byRule: Record<string, number> = {}
  const byProperty: Record<string, number> = {}
  const unplannedEvents = new Set<string>()
  let messagesChecked = 0
  let violations = 0
  let rowsWithViolations = 0
  let unplannedMessages = 0
  for (const report of present) {
    messagesChecked += report.messagesChecked
    violations += report.violations
    rowsWithViolations += report.rowsWithViolations
    unplannedMessages += report.unplannedMessages
    addCounts(byRule, report.byRule)
    addCounts(byProperty, report.byProperty)
    for (const event of report.unplannedEvents) if (unplannedEvents.size < Sample) unplannedEvents.add(event)
  }
  const firstRows = present
    .flatMap((report) => report.firstRows)
    .sort((a, b) => a.row - b.row)
    .slice(0, Sample)
  return {
    plan: first.plan,
    mode: first.mode,
    messagesChecked,
    violations,
    rowsWithViolations,
    unplannedMessages,
    unplannedEvents: [...unplannedEvents],
    byRule,
    byProperty,
    firstRows
  }
}

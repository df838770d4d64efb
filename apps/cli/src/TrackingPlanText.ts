import type { ContractReport } from "@tablecast/core"

const count = (n: number) => n.toLocaleString("en-US")

/**
 * What a run's tracking plan found, for a person: the rows that broke it (rejected, or sent with warnings),
 * the violations per property and rule, the first rows named with their violations, the unplanned events.
 */
export const trackingPlanLines = (report: ContractReport, indent = "  "): ReadonlyArray<string> => {
  const verdict =
    report.rowsWithViolations === 0
      ? "every message keeps it"
      : `${count(report.rowsWithViolations)} row${report.rowsWithViolations === 1 ? "" : "s"} ${report.mode === "reject" ? "rejected" : "sent with warnings"}, ${count(report.violations)} violation${report.violations === 1 ? "" : "s"}`
  const lines = [`${indent}tracking plan ${report.plan} (${report.mode}): ${count(report.messagesChecked)} messages checked, ${verdict}`]
  const properties = Object.entries(report.byProperty).sort((a, b) => b[1] - a[1])
  for (const [property, n] of properties.slice(0, 10)) lines.push(`${indent}  ${count(n).padStart(7)}  ${property}`)
  if (properties.length > 10) lines.push(`${indent}  … ${count(properties.length - 10)} more properties`)
  for (const row of report.firstRows.slice(0, 5)) lines.push(`${indent}  row ${row.row}: ${row.violations.join("; ")}`)
  if (report.rowsWithViolations > 5) lines.push(`${indent}  … ${count(report.rowsWithViolations - 5)} more rows`)
  if (report.warningsFile !== undefined) {
    lines.push(`${indent}  every row sent with warnings (${count(report.rowsWithViolations)}) written to ${report.warningsFile}`)
  }
  if (report.unplannedMessages > 0) {
    lines.push(
      `${indent}  ${count(report.unplannedMessages)} track messages of events the plan does not name (sent): ${report.unplannedEvents.map((event) => JSON.stringify(event)).join(", ")}`
    )
  }
  return lines
}

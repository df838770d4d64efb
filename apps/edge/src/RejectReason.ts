import type { DeliveryReport, RejectedRow } from "@tablecast/core"

/**
 * A reject's reason as the edge tells it: the column and the rule, never the value. The core's
 * reason for a value that does not fit its column quotes the value (`column "c": "<value>" is not
 * a number`) and gives, beside it, the rule the value broke without the value (`rule`). A caller of
 * the edge may not see row values in answers and logs (they may be personal data), so the edge
 * words such a reason from the column and the rule: `column "c": the value is not a number`.
 * Reasons that quote no value (the core sets no rule on them) pass unchanged.
 */
export const reasonWithoutValue = (reject: Pick<RejectedRow, "reason" | "column" | "rule">): string => {
  const { reason, column, rule } = reject
  if (rule === undefined || column === undefined) return reason
  const named = JSON.stringify(column)
  if (rule.decided === undefined) return `column ${named}: the value ${rule.broken}`
  // The core names the CLI's way out (`--column c=string`); the edge names the spec's.
  const { type, basis } = rule.decided
  return `column ${named} is typed ${type} (${basis}); the value ${rule.broken} — declare ${named}: "string" in spec.columns to send it as text`
}

/** A sampled reject as the edge answers it: its reason without values, and no `rule` beside it. */
const rejectWithoutValue = (reject: RejectedRow): RejectedRow => {
  const { rule: _rule, ...told } = reject
  return { ...told, reason: reasonWithoutValue(reject) }
}

/** The report with every sampled reject's reason told without values. */
export const reportWithoutValues = (report: DeliveryReport): DeliveryReport => ({
  ...report,
  rejects: {
    ...report.rejects,
    sample: report.rejects.sample.map(rejectWithoutValue)
  }
})

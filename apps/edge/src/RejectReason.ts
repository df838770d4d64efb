import type { DeliveryReport, RejectedRow } from "@tablecast/core"

/**
 * A reject's reason as the edge tells it: the column and the rule, never the value. The core's
 * reasons for a value that does not fit its column read `column "c": "<value>" is not a number`;
 * a caller of the edge may not see row values in answers and logs (they may be personal data), so
 * the value is replaced by "the value": `column "c": the value is not a number`. Reasons that name
 * no value pass unchanged; a reason the edge cannot read as column + rule is cut to its column.
 */
export const reasonWithoutValue = (reject: Pick<RejectedRow, "reason" | "column">): string => {
  const { reason, column } = reject
  if (column === undefined) return reason
  const prefix = `column ${JSON.stringify(column)}: `
  if (!reason.startsWith(prefix)) return reason
  const rule = reason.slice(prefix.length)
  // The value comes first and the rule last; a value may itself hold " is not ", so the last one counts.
  const cut = rule.lastIndexOf(" is not ")
  if (cut > 0) return `${prefix}the value${rule.slice(cut)}`
  return valueFree.some((pattern) => pattern.test(rule)) ? reason : `${prefix}the value does not fit the column's type`
}

/** The core's column reasons that hold no value (anything else is told without its text). */
const valueFree = [/^an invalid date$/, /^binary data, /, /^a value of type \w+$/, /^value nested deeper than \d+ levels/]

/** The report with every sampled reject's reason told without values. */
export const reportWithoutValues = (report: DeliveryReport): DeliveryReport => ({
  ...report,
  rejects: {
    ...report.rejects,
    sample: report.rejects.sample.map((reject) => ({ ...reject, reason: reasonWithoutValue(reject) }))
  }
})

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
  const decided = decidedMisfit(reason, column)
  if (decided !== undefined) return decided
  const prefix = `column ${JSON.stringify(column)}: `
  if (!reason.startsWith(prefix)) return reason
  const rule = reason.slice(prefix.length)
  // The value comes first and the rule last; a value may itself hold " is not ", so the last one counts.
  const cut = rule.lastIndexOf(" is not ")
  if (cut > 0) return `${prefix}the value${rule.slice(cut)}`
  return valueFree.some((pattern) => pattern.test(rule)) ? reason : `${prefix}the value does not fit the column's type`
}

/**
 * A value that does not fit its column's decided type reads, in the core, `column "c" is typed
 * number (decided from the first 1000 rows); "<value>" is not a number — use --column c=string …`.
 * The edge keeps the column, the type and its basis, drops the value, and names the spec's way out.
 */
const decidedMisfit = (reason: string, column: string): string | undefined => {
  const head = `column ${JSON.stringify(column)} is typed `
  if (!reason.startsWith(head)) return undefined
  const typed = /^(\w+) \(([^()]*)\); /.exec(reason.slice(head.length))
  if (typed === null) return `column ${JSON.stringify(column)}: the value does not fit the column's type`
  const [, type, basis] = typed
  const what = /has more digits than a JSON number carries exactly — use /.test(reason)
    ? "has more digits than a JSON number carries exactly"
    : `is not a ${type}`
  return `${head}${type} (${basis}); the value ${what} — declare ${JSON.stringify(column)}: "string" in spec.columns to send it as text`
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

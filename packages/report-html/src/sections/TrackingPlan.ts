import type { RunRecord } from "@tablecast/core"
import { formatCount } from "../Figures.ts"
import { html, type Markup } from "../Html.ts"

type Counts = Readonly<Record<string, number>>

const countsTable = (caption: string, counts: Counts): Markup | undefined => {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1])
  if (entries.length === 0) return undefined
  return html`<table>
<caption>${caption}</caption>
<thead><tr><th>${caption === "Violations by rule" ? "rule" : "property (rule)"}</th><th>violations</th></tr></thead>
<tbody>${entries.map(([name, count]) => html`<tr><th scope="row">${name}</th><td>${formatCount(count)}</td></tr>`)}</tbody>
</table>`
}

/**
 * What the run's tracking plan found: the messages checked, the rows that broke it (rejected, or sent
 * with warnings and where they were written), unplanned events, violations by rule and by property.
 * Nothing when the run had no plan.
 */
export const trackingPlanSection = (run: RunRecord): Markup | undefined => {
  const found = run.trackingPlan
  if (found === undefined) return undefined
  const rows =
    found.mode === "reject"
      ? `${formatCount(found.rowsWithViolations)} rows rejected for breaking it`
      : `${formatCount(found.rowsWithViolations)} rows sent with warnings${found.warningsFile === undefined ? "" : `, every one written to ${found.warningsFile}`}`
  return html`<section id="tracking-plan">
<h2>Tracking plan</h2>
<p>Plan ${found.plan} (${found.mode}): ${formatCount(found.messagesChecked)} messages checked, ${formatCount(found.violations)} violations; ${rows}.${
    found.unplannedMessages === 0
      ? ""
      : ` ${formatCount(found.unplannedMessages)} messages of events the plan does not name (${found.unplannedEvents.join(", ")}), sent.`
  }</p>
${countsTable("Violations by rule", found.byRule)}
${countsTable("Violations by property", found.byProperty)}
</section>`
}

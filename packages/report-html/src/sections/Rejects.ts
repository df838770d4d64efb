import type { RejectStage, RunRecord } from "@tablecast/core"
import { formatCount } from "../Figures.ts"
import { html, type Markup } from "../Html.ts"

const stageNames: Readonly<Record<RejectStage, string>> = {
  source: "the source could not read the row",
  validation: "mapping or validation refused the row",
  "batch-refused": "the endpoint refused its batch",
  undelivered: "not delivered (retries ran out, or the run stopped)"
}

/** Rejects by reason, with the example row numbers the run kept (see the rejects file for every one). */
export const rejectsSection = (run: RunRecord): Markup => {
  const stages = (Object.keys(stageNames) as Array<RejectStage>).filter((stage) => (run.counts.rejectedByReason[stage] ?? 0) > 0)
  if (stages.length === 0) return html`<section id="rejects"><h2>Rejects</h2><p class="note">No row was rejected.</p></section>`
  return html`<section id="rejects">
<h2>Rejects</h2>
<table>
<thead><tr><th>reason</th><th>rows</th><th>example row numbers</th></tr></thead>
<tbody>${stages.map(
    (stage) =>
      html`<tr class="reject" data-stage="${stage}"><th scope="row">${stage}: ${stageNames[stage]}</th><td>${formatCount(run.counts.rejectedByReason[stage] ?? 0)}</td><td class="examples">${(run.profile?.rejectExamples[stage] ?? []).join(", ")}</td></tr>`
  )}</tbody>
</table>
</section>`
}

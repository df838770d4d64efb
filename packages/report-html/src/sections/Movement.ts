import type { CustomerMovement, RunRecord } from "@tablecast/core"
import { formatCount, formatShare, formatValue } from "../Figures.ts"
import { html, type Markup } from "../Html.ts"

const share = (movement: CustomerMovement) => (movement.compared === 0 ? "–" : formatShare(movement.moved / movement.compared))

/** Per-customer movement of a keyed incremental sync: of the customers in both runs, how many moved by more than the threshold. */
export const movementSection = (run: RunRecord, previous: RunRecord | undefined): Markup | undefined => {
  const movement = run.profile?.movement
  if (movement === undefined) return undefined
  const before = new Map((previous?.profile?.movement ?? []).map((entry) => [entry.column, entry]))
  return html`<section id="movement">
<h2>Customer movement</h2>
<p class="note">For each numeric column, the customers present in the previous snapshot and in this run with a number in both, and how many moved by more than the threshold.</p>
${
  movement.length === 0
    ? html`<p class="note">No numeric column could be compared.</p>`
    : html`<table>
<thead><tr><th>column</th><th>compared</th><th>threshold</th><th>moved</th><th>share moved</th><th>previous run's share</th></tr></thead>
<tbody>${movement.map((entry) => {
        const earlier = before.get(entry.column)
        return html`<tr class="movement" data-column="${entry.column}"><th scope="row">${entry.column}</th><td>${formatCount(entry.compared)}</td><td>${formatValue(entry.threshold)}</td><td>${formatCount(entry.moved)}</td><td>${share(entry)}</td><td>${earlier === undefined ? "–" : share(earlier)}</td></tr>`
      })}</tbody>
</table>`
}
</section>`
}

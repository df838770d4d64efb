import { callCountsText, type RunRecord } from "@tablecast/core"
import { formatBytes, formatCount, formatDuration } from "../Figures.ts"
import { html, type Markup } from "../Html.ts"

type Row = readonly [label: string, value: (run: RunRecord) => string | undefined]

const count = (value: number | undefined) => (value === undefined ? undefined : formatCount(value))

const rows: ReadonlyArray<Row> = [
  ["Run", (run) => run.id],
  ["Kind", (run) => `${run.kind}${run.dryRun ? " (dry run)" : ""}, started by ${run.trigger}`],
  ["Outcome", (run) => `${run.outcome}, exit code ${run.exitCode}${run.fatal === undefined ? "" : ` (${run.fatal.kind}: ${run.fatal.message})`}`],
  ["Started", (run) => run.startedAt],
  ["Duration", (run) => formatDuration(run.durationMillis)],
  ["Rows read", (run) => count(run.counts.read)],
  ["Rows rejected", (run) => count(run.counts.rejected)],
  ["Rows skipped", (run) => count(run.counts.skipped)],
  // A sync of more than one call type: how many messages of each.
  ["Messages by call", (run) => callCountsText(run.counts.calls, { format: formatCount, mixedOnly: true })],
  ["Messages accepted", (run) => count(run.counts.accepted)],
  ["Messages refused", (run) => count(run.counts.refused)],
  ["Messages undelivered", (run) => count(run.counts.undelivered)],
  ["Requests", (run) => count(run.requests.total)],
  ["Retries", (run) => count(run.requests.retries)],
  ["Answered 429", (run) => count(run.requests.throttled)],
  ["Bytes sent", (run) => formatBytes(run.bytesSent)],
  ["Rows per second", (run) => count(run.throughput.rowsPerSecond)],
  ["Accepted per second", (run) => count(run.throughput.acceptedPerSecond)],
  ["Peak memory", (run) => (run.peakMemoryBytes === undefined ? undefined : formatBytes(run.peakMemoryBytes))],
  [
    "Plan",
    (run) =>
      run.plan === undefined
        ? undefined
        : `${run.plan.full ? "full; " : ""}${formatCount(run.plan.added)} added, ${formatCount(run.plan.changed)} changed, ${formatCount(run.plan.unchanged)} unchanged, ${formatCount(run.plan.removed)} removed${run.plan.guardTripped ? "; the guard stopped it" : ""}`
  ]
]

/** The run's figures beside the previous run's: what ran, how it ended, its counts and rates. */
export const summarySection = (run: RunRecord, previous: RunRecord | undefined): Markup => {
  const shown = rows.filter(([, value]) => value(run) !== undefined || (previous !== undefined && value(previous) !== undefined))
  return html`<section id="summary">
<h2>Summary</h2>
<p class="source">${run.source} → ${run.endpoint}</p>
<table class="figures">
<thead><tr><th></th><th>this run</th>${previous === undefined ? undefined : html`<th>previous run</th>`}</tr></thead>
<tbody>${shown.map(
    ([label, value]) =>
      html`<tr><th scope="row">${label}</th><td>${value(run) ?? "–"}</td>${previous === undefined ? undefined : html`<td>${value(previous) ?? "–"}</td>`}</tr>`
  )}</tbody>
</table>
${previous === undefined ? html`<p class="note">No earlier run of this sync is in the history: there is nothing to compare with.</p>` : undefined}
</section>`
}

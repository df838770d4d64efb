import type { CategoricalProfile, NumericProfile, PropertyProfile, RunProfile } from "@tablecast/core"
import { type ChartCanvas, histogramChart } from "../Charts.ts"
import { commonBins, sharesIn, valueAtRank } from "../Distribution.ts"
import { type PropertyDrift, propertyName } from "../Drift.ts"
import { formatCount, formatShare, formatValue } from "../Figures.ts"
import { html, type Markup, trusted } from "../Html.ts"

/** A property of this run, the same property in the previous run (if it had it), and how it moved. */
export interface PropertyPair {
  readonly now: PropertyProfile
  readonly previous: PropertyProfile | undefined
  readonly drift: PropertyDrift | undefined
}

const driftLine = (drift: PropertyDrift | undefined): Markup | undefined =>
  drift === undefined
    ? undefined
    : html`<p class="drift${drift.calledOut ? " called-out" : ""}" data-path="${drift.path}" data-shift="${drift.shift.toFixed(3)}">${drift.text}</p>`

const statistics: ReadonlyArray<readonly [string, (profile: NumericProfile) => string]> = [
  ["messages with a number", (profile) => formatCount(profile.count)],
  ["without", (profile) => formatCount(profile.missing)],
  ["with text or a boolean", (profile) => formatCount(profile.mismatched ?? 0)],
  ["min", (profile) => formatValue(profile.min)],
  ["25th percentile", (profile) => formatValue(valueAtRank(profile.quantiles, 0.25))],
  ["median", (profile) => formatValue(valueAtRank(profile.quantiles, 0.5))],
  ["mean", (profile) => formatValue(profile.mean)],
  ["75th percentile", (profile) => formatValue(valueAtRank(profile.quantiles, 0.75))],
  ["max", (profile) => formatValue(profile.max)]
]

const numericCard = (canvas: ChartCanvas, now: NumericProfile, previous: NumericProfile | undefined, drift: PropertyDrift | undefined) => {
  const bins = commonBins(previous === undefined ? [now.quantiles] : [now.quantiles, previous.quantiles])
  const chart = histogramChart(canvas, {
    label: propertyName(now.path),
    bins,
    now: sharesIn(now.quantiles, bins),
    previous: previous === undefined ? undefined : sharesIn(previous.quantiles, bins)
  })
  return html`<article class="property numeric" data-path="${now.path}">
<h3>${propertyName(now.path)} <small>${now.path}</small></h3>
${driftLine(drift)}
<figure class="histogram">${trusted(chart)}<figcaption><span class="key"><i class="c0"></i>this run${previous === undefined ? undefined : html` <i class="c2"></i>previous run`}</span> — share of messages per bin</figcaption></figure>
<table class="statistics">
<thead><tr><th></th><th>this run</th>${previous === undefined ? undefined : html`<th>previous run</th>`}</tr></thead>
<tbody>${statistics.map(
    ([label, value]) =>
      html`<tr><th scope="row">${label}</th><td>${value(now)}</td>${previous === undefined ? undefined : html`<td>${value(previous)}</td>`}</tr>`
  )}</tbody>
</table>
</article>`
}

const shareOf = (count: number, total: number) => (total === 0 ? "–" : formatShare(count / total))

const categoricalCard = (now: CategoricalProfile, previous: CategoricalProfile | undefined, drift: PropertyDrift | undefined) => {
  const before = new Map((previous?.top ?? []).map((entry) => [entry.value, entry.count]))
  const values = [
    ...now.top.map((entry) => entry.value),
    ...(previous?.top ?? []).map((entry) => entry.value).filter((value) => !now.top.some((entry) => entry.value === value))
  ]
  const nowCounts = new Map(now.top.map((entry) => [entry.value, entry.count]))
  return html`<article class="property categorical" data-path="${now.path}">
<h3>${propertyName(now.path)} <small>${now.path}</small></h3>
${driftLine(drift)}
<table class="top-values">
<thead><tr><th>value</th><th>this run</th>${previous === undefined ? undefined : html`<th>previous run</th>`}</tr></thead>
<tbody>${values.map((value) => {
    const count = nowCounts.get(value)
    const earlier = before.get(value)
    return html`<tr><th scope="row">${value}</th><td>${count === undefined ? "–" : `${formatCount(count)} (${shareOf(count, now.count)})`}</td>${
      previous === undefined
        ? undefined
        : html`<td>${earlier === undefined ? "–" : `${formatCount(earlier)} (${shareOf(earlier, previous.count)})`}</td>`
    }</tr>`
  })}</tbody>
</table>
<p class="note">${formatCount(now.count)} messages with a value, ${formatCount(now.missing)} without.${now.capped ? " More distinct values were seen than are tracked: the counts are estimates." : ""}</p>
</article>`
}

/** Each property: a numeric one's histogram and figures beside the previous run's, a categorical one's top values then and now. */
export const propertiesSection = (
  canvas: ChartCanvas,
  pairs: ReadonlyArray<PropertyPair>,
  leftOut: { readonly now: number; readonly goneSincePrevious: ReadonlyArray<string> },
  sample: RunProfile["propertySample"]
): Markup =>
  html`<section id="properties">
<h2>Properties</h2>
${pairs.length === 0 ? html`<p class="note">No property was profiled.</p>` : undefined}
${
  sample !== undefined && sample.profiled < sample.messages
    ? html`<p class="note sample">Profiled from a random sample of ${formatCount(sample.profiled)} of ${formatCount(sample.messages)} messages: the counts are estimates.</p>`
    : undefined
}
${pairs.map(({ now, previous, drift }) =>
  now.kind === "numeric"
    ? numericCard(canvas, now, previous?.kind === "numeric" ? previous : undefined, drift)
    : categoricalCard(now, previous?.kind === "categorical" ? previous : undefined, drift)
)}
${leftOut.now > 0 ? html`<p class="note">${formatCount(leftOut.now)} more properties were not profiled (a run profiles at most 32).</p>` : undefined}
${leftOut.goneSincePrevious.length > 0 ? html`<p class="note">In the previous run, not in this one: ${leftOut.goneSincePrevious.map(propertyName).join(", ")}.</p>` : undefined}
</section>`

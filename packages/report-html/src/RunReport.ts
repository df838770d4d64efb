import type { PropertyProfile, RunRecord } from "@tablecast/core"
import { chartCanvas } from "./Charts.ts"
import { driftOf } from "./Drift.ts"
import { html, type Markup, trusted } from "./Html.ts"
import { reportStyle } from "./ReportStyle.ts"
import { movementSection } from "./sections/Movement.ts"
import { type PropertyPair, propertiesSection } from "./sections/Properties.ts"
import { rejectsSection } from "./sections/Rejects.ts"
import { trackingPlanSection } from "./sections/TrackingPlan.ts"
import { summarySection } from "./sections/Summary.ts"
import { timelineSection } from "./sections/Timeline.ts"

/** What a report is drawn from: a run's record, and the previous run of the same sync to compare it with. */
export interface RunReportInput {
  readonly run: RunRecord
  /** The previous run of the same sync (from the run history), if there is one. */
  readonly previous?: RunRecord | undefined
}

/** Every property of this run beside the previous run's of the same path, and how it moved. */
export const propertyPairsOf = (run: RunRecord, previous: RunRecord | undefined): ReadonlyArray<PropertyPair> => {
  const before = new Map<string, PropertyProfile>((previous?.profile?.properties ?? []).map((profile) => [profile.path, profile]))
  return (run.profile?.properties ?? []).map((now) => {
    const earlier = before.get(now.path)
    return { now, previous: earlier, drift: driftOf(now, earlier) }
  })
}

/** The properties whose distribution moved past the thresholds, the largest shift first. */
const movedSection = (pairs: ReadonlyArray<PropertyPair>, previous: RunRecord | undefined): Markup | undefined => {
  if (previous === undefined) return undefined
  const moved = pairs.flatMap((pair) => (pair.drift?.calledOut === true ? [pair.drift] : [])).sort((a, b) => b.shift - a.shift)
  return html`<section id="moved">
<h2>What moved since the previous run</h2>
<p class="note">Compared with run ${previous.id} (started ${previous.startedAt}).</p>
${
  moved.length === 0
    ? html`<p class="note">No property's distribution moved notably.</p>`
    : html`<ul>${moved.map((drift) => html`<li class="called-out" data-path="${drift.path}">${drift.text}</li>`)}</ul>`
}
</section>`
}

/**
 * A run's report as one HTML document that needs nothing else: its style inline, its charts static
 * SVG, no script, and a content security policy that forbids every request, so it opens from disk
 * anywhere. Pure: the same records give the same document.
 */
export const renderRunReport = (input: RunReportInput): string => {
  const { run } = input
  const previous = input.previous ?? undefined
  const canvas = chartCanvas()
  const pairs = propertyPairsOf(run, previous)
  const currentPaths = new Set(pairs.map((pair) => pair.now.path))
  const gone = (previous?.profile?.properties ?? []).map((profile) => profile.path).filter((path) => !currentPaths.has(path))
  const body = [
    summarySection(run, previous),
    movedSection(pairs, previous),
    run.profile === undefined
      ? html`<section id="no-profile"><p class="note">This run kept no profile (it was recorded before profiles, or by a runner that keeps none): only its summary and rejects are shown.</p></section>`
      : timelineSection(canvas, run.profile.timeline),
    rejectsSection(run),
    trackingPlanSection(run),
    run.profile === undefined
      ? undefined
      : propertiesSection(canvas, pairs, { now: run.profile.propertiesLeftOut, goneSincePrevious: gone }, run.profile.propertySample),
    movementSection(run, previous)
  ].filter((section): section is Markup => section !== undefined)
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tablecast run ${run.id} — ${run.sync}</title>
<style>${trusted(reportStyle)}</style>
</head>
<body>
<header><h1>tablecast run report: ${run.sync}</h1><p class="note">Run ${run.id}, ${run.kind}, ${run.outcome}.</p></header>
${body}
</body>
</html>
`.markup
}

import type { TimelinePoint } from "@tablecast/core"
import { type ChartCanvas, type TimelineSeries, timelineChart } from "../Charts.ts"
import { html, type Markup, trusted } from "../Html.ts"

const seconds = (point: TimelinePoint) => point.atMillis / 1000

/** A cumulative count as a rate: its growth per second between each point and the one before. */
const ratePerSecond = (timeline: ReadonlyArray<TimelinePoint>, of: (point: TimelinePoint) => number): TimelineSeries["points"] =>
  timeline.slice(1).map((point, index) => {
    const before = timeline[index]!
    const elapsed = (point.atMillis - before.atMillis) / 1000
    return { seconds: seconds(point), value: elapsed <= 0 ? 0 : (of(point) - of(before)) / elapsed }
  })

const levels = (timeline: ReadonlyArray<TimelinePoint>, of: (point: TimelinePoint) => number): TimelineSeries["points"] =>
  timeline.map((point) => ({ seconds: seconds(point), value: of(point) }))

/** The classes of the timeline's lines, one chart each. */
export const TIMELINE_CLASSES = { throughput: "timeline-throughput", inFlight: "timeline-in-flight", retries: "timeline-retries" } as const

/** Throughput, requests in flight and the queue, and retries and 429s over the run's time. */
export const timelineSection = (canvas: ChartCanvas, timeline: ReadonlyArray<TimelinePoint>): Markup => {
  // A rate needs two moments, a line two rates.
  if (timeline.length < 3)
    return html`<section id="timeline"><h2>Timeline</h2><p class="note">The run was too short to keep a timeline.</p></section>`
  const charts = [
    timelineChart(canvas, {
      label: "per second",
      className: TIMELINE_CLASSES.throughput,
      series: [
        { name: "rows read", points: ratePerSecond(timeline, (point) => point.rowsRead) },
        { name: "messages accepted", points: ratePerSecond(timeline, (point) => point.messagesAccepted) }
      ]
    }),
    timelineChart(canvas, {
      label: "at that moment",
      className: TIMELINE_CLASSES.inFlight,
      series: [
        { name: "requests in flight", points: levels(timeline, (point) => point.inFlight) },
        { name: "messages queued", points: levels(timeline, (point) => point.queued) }
      ]
    }),
    timelineChart(canvas, {
      label: "so far",
      className: TIMELINE_CLASSES.retries,
      series: [
        { name: "retries", points: levels(timeline, (point) => point.retries) },
        { name: "answered 429", points: levels(timeline, (point) => point.throttled) }
      ]
    })
  ]
  return html`<section id="timeline">
<h2>Timeline</h2>
<h3>Throughput <span class="key"><i class="c0"></i>rows read/s <i class="c1"></i>messages accepted/s</span></h3>
<figure>${trusted(charts[0]!)}</figure>
<h3>In flight <span class="key"><i class="c0"></i>requests in flight <i class="c1"></i>messages queued</span></h3>
<figure>${trusted(charts[1]!)}</figure>
<h3>Retries and 429s <span class="key"><i class="c0"></i>retries <i class="c1"></i>answered 429</span> (cumulative)</h3>
<figure>${trusted(charts[2]!)}</figure>
</section>`
}

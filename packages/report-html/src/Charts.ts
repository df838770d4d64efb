import * as Plot from "@observablehq/plot"
import { parseHTML } from "linkedom"
import type { Bin } from "./Distribution.ts"

/**
 * Static SVG charts, drawn by Observable Plot into linkedom's document (a DOM without a browser):
 * the SVG is serialised into the report, which needs no script to show it.
 */
export interface ChartCanvas {
  /** The chart library's own name for the DOM's document type: this package compiles without the DOM's types. */
  readonly document: NonNullable<Plot.PlotOptions["document"]>
}

/** A document to draw charts into, one per report. */
export const chartCanvas = (): ChartCanvas => ({
  document: parseHTML("<!doctype html><html><head></head><body></body></html>").document as unknown as ChartCanvas["document"]
})

const serialised = (chart: ReturnType<typeof Plot.plot>): string => (chart as unknown as { readonly outerHTML: string }).outerHTML

/** The class of the bars of this run's histogram: one `rect` per bin (the report's test counts them). */
export const HISTOGRAM_BAR_CLASS = "bins-now"
/** The class of the previous run's outline over the same bins. */
export const HISTOGRAM_PREVIOUS_CLASS = "bins-previous"

/** One run's share per bin as bars, and the previous run's as a step outline over the same bins. */
export const histogramChart = (
  canvas: ChartCanvas,
  input: {
    readonly label: string
    readonly bins: ReadonlyArray<Bin>
    readonly now: ReadonlyArray<number>
    readonly previous: ReadonlyArray<number> | undefined
  }
): string => {
  const bars = input.bins.map((bin, index) => ({ lower: bin.lower, upper: bin.upper, share: input.now[index] ?? 0 }))
  const marks: Array<Plot.Markish> = [
    Plot.rectY(bars, { x1: "lower", x2: "upper", y: "share", fill: "#4e79a7", inset: 0.5, className: HISTOGRAM_BAR_CLASS }),
    Plot.ruleY([0])
  ]
  if (input.previous !== undefined) {
    const previous = input.previous
    const last = input.bins[input.bins.length - 1]
    // The outline's last point closes the last bin at its upper edge.
    const outline = [
      ...input.bins.map((bin, index) => ({ at: bin.lower, share: previous[index] ?? 0 })),
      ...(last === undefined ? [] : [{ at: last.upper, share: previous[previous.length - 1] ?? 0 }])
    ]
    marks.push(
      Plot.lineY(outline, { x: "at", y: "share", curve: "step-after", stroke: "#e15759", strokeWidth: 1.5, className: HISTOGRAM_PREVIOUS_CLASS })
    )
  }
  return serialised(
    Plot.plot({
      document: canvas.document,
      width: 420,
      height: 170,
      marginLeft: 44,
      x: { label: input.label },
      y: { label: "share", tickFormat: "%", grid: true },
      marks
    })
  )
}

/** One line of a timeline chart: a name and its value at each moment. */
export interface TimelineSeries {
  readonly name: string
  readonly points: ReadonlyArray<{ readonly seconds: number; readonly value: number }>
}

const seriesColours = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2"]

/** A few series over the run's time, one line each: the first solid, the others dashed over it, so lines that meet stay apart. */
export const timelineChart = (
  canvas: ChartCanvas,
  input: { readonly label: string; readonly series: ReadonlyArray<TimelineSeries>; readonly className: string }
): string => {
  // At least 0 to 1, so a series that stayed at 0 (no retries) gets plain ticks.
  const top = Math.max(1, ...input.series.flatMap((series) => series.points.map((point) => point.value)))
  return serialised(
    Plot.plot({
      document: canvas.document,
      width: 640,
      height: 200,
      marginLeft: 56,
      x: { label: "seconds since start" },
      y: { label: input.label, grid: true, domain: [0, top], nice: true },
      marks: [
        Plot.ruleY([0]),
        ...input.series.map((series, index) =>
          Plot.lineY(series.points, {
            x: "seconds",
            y: "value",
            stroke: seriesColours[index % seriesColours.length],
            strokeWidth: index === 0 ? 2.5 : 1.5,
            ...(index === 0 ? {} : { strokeDasharray: "5,3" }),
            className: input.className
          })
        )
      ]
    })
  )
}

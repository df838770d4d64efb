import type { Measurement } from "./Measure.ts"

/** The median run of a contender, with the spread of its repeats. */
export interface Summary {
  readonly key: string
  readonly label: string
  readonly runs: number
  readonly rows: number
  readonly rowsPerSecond: number
  /** Lowest and highest rows/s over the repeats. */
  readonly rowsPerSecondRange: readonly [number, number]
  readonly requests: number
  readonly bytesPerRequest: number
  readonly peakRssBytes: number
  readonly cpuSeconds: number
  /** The worst run's losses: one lost row in any run is a lost row. */
  readonly rowsLost: number
  readonly duplicates: number
  readonly notes: ReadonlyArray<string>
}

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export const summarize = (runs: ReadonlyArray<Measurement>): Summary => {
  const first = runs[0]!
  const rates = runs.map((run) => run.rowsPerSecond)
  return {
    key: first.key,
    label: first.label,
    runs: runs.length,
    rows: first.rows,
    rowsPerSecond: median(rates),
    rowsPerSecondRange: [Math.min(...rates), Math.max(...rates)],
    requests: median(runs.map((run) => run.requests)),
    bytesPerRequest: median(runs.map((run) => run.bytesPerRequest)),
    peakRssBytes: median(runs.map((run) => run.peakRssBytes)),
    cpuSeconds: median(runs.map((run) => run.cpuSeconds)),
    rowsLost: Math.max(...runs.map((run) => run.rowsLost)),
    duplicates: Math.max(...runs.map((run) => run.duplicates)),
    notes: [...new Set(runs.flatMap((run) => run.notes))]
  }
}

const integer = (value: number): string => Math.round(value).toLocaleString("en-US")
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`

/**
 * The table: rows/s (median, and the range over repeats), ratio to the bare bound, CPU seconds of
 * the process and the ratio they give (steadier than wall time on a busy machine), requests, bytes
 * per request, peak RSS, rows lost. Markdown, so it pastes into docs/performance.md.
 */
export const formatTable = (summaries: ReadonlyArray<Summary>, bareKey = "bare"): string => {
  const bare = summaries.find((summary) => summary.key === bareKey)
  const header = ["", "rows/s (median)", "range", "× bare", "CPU s", "× bare (CPU)", "requests", "bytes/request", "peak RSS", "rows lost"]
  const lines = summaries.map((summary) => [
    summary.label,
    integer(summary.rowsPerSecond),
    `${integer(summary.rowsPerSecondRange[0])}–${integer(summary.rowsPerSecondRange[1])}`,
    bare === undefined ? "–" : (summary.rowsPerSecond / bare.rowsPerSecond).toFixed(2),
    summary.cpuSeconds.toFixed(1),
    bare === undefined ? "–" : (bare.cpuSeconds / summary.cpuSeconds).toFixed(2),
    summary.key === bareKey ? `(${integer(summary.requests)})` : integer(summary.requests),
    summary.requests === 0 ? "–" : integer(summary.bytesPerRequest),
    mib(summary.peakRssBytes),
    summary.duplicates > 0 ? `${integer(summary.rowsLost)} (+${integer(summary.duplicates)} dup)` : integer(summary.rowsLost)
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)))
  const row = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`
  const rule = `|${widths.map((width, column) => (column === 0 ? `${"-".repeat(width + 1)}-` : `${"-".repeat(width + 1)}:`)).join("|")}|`
  return [row(header), rule, ...lines.map(row)].join("\n")
}

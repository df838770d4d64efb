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
  /** Medians of the receiver's answers: 429, 500/503, connections reset. */
  readonly tooManyRequests: number
  readonly serverErrors: number
  readonly resets: number
  /** Median of the retries the contender reported (absent when it reports none). */
  readonly retries?: number
  /** The median run's sending figures from tablecast's report, when there are any. */
  readonly sending?: Readonly<Record<string, number | string | boolean>>
  /** Runs stopped at the timeout. */
  readonly timedOut: number
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
  const retries = runs.flatMap((run) => (run.retries === undefined ? [] : [run.retries]))
  // The run at the median rate (the lower middle one), for figures that have no median of their own.
  const middle = [...runs].sort((a, b) => a.rowsPerSecond - b.rowsPerSecond)[Math.floor((runs.length - 1) / 2)]!
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
    tooManyRequests: median(runs.map((run) => run.tooManyRequests)),
    serverErrors: median(runs.map((run) => run.serverErrors)),
    resets: median(runs.map((run) => run.resets)),
    ...(retries.length === 0 ? {} : { retries: median(retries) }),
    ...(middle.sending === undefined ? {} : { sending: middle.sending }),
    timedOut: runs.filter((run) => run.timedOut).length,
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

/** Rows per accepted request (those not answered 429, 5xx or reset): the batch size the contender sent. */
export const rowsPerRequest = (summary: Summary): number => {
  const accepted = summary.requests - summary.tooManyRequests - summary.serverErrors - summary.resets
  return accepted <= 0 ? 0 : (summary.rows - summary.rowsLost) / accepted
}

/** A contender of a scenario that could not run (a flag the CLI does not have yet). */
export interface Unavailable {
  readonly key: string
  readonly label: string
  readonly reason: string
}

/**
 * A scenario's table: rows/s (median, range), requests, the receiver's 429s, 5xx and resets,
 * retries, peak RSS, rows lost — and on loopback the ratios to the bare bound and CPU seconds.
 */
export const formatScenarioTable = (summaries: ReadonlyArray<Summary>, unavailable: ReadonlyArray<Unavailable> = [], bareKey = "bare"): string => {
  const bare = summaries.find((summary) => summary.key === bareKey)
  const header = [
    "",
    "rows/s (median)",
    "range",
    ...(bare === undefined ? [] : ["× bare", "CPU s", "× bare (CPU)"]),
    "requests",
    "rows/request (accepted)",
    "429s",
    "5xx",
    "resets",
    "retries",
    "peak RSS",
    "rows lost"
  ]
  const lines = summaries.map((summary) => [
    summary.label,
    summary.timedOut > 0 ? `${integer(summary.rowsPerSecond)} (timeout)` : integer(summary.rowsPerSecond),
    `${integer(summary.rowsPerSecondRange[0])}–${integer(summary.rowsPerSecondRange[1])}`,
    ...(bare === undefined
      ? []
      : [
          (summary.rowsPerSecond / bare.rowsPerSecond).toFixed(2),
          summary.cpuSeconds.toFixed(1),
          (bare.cpuSeconds / summary.cpuSeconds).toFixed(2)
        ]),
    summary.key === bareKey ? `(${integer(summary.requests)})` : integer(summary.requests),
    summary.requests === 0 ? "–" : integer(rowsPerRequest(summary)),
    integer(summary.tooManyRequests),
    integer(summary.serverErrors),
    integer(summary.resets),
    summary.retries === undefined ? "–" : integer(summary.retries),
    mib(summary.peakRssBytes),
    summary.timedOut > 0
      ? `(${integer(summary.rowsLost)} not sent)`
      : summary.duplicates > 0
        ? `${integer(summary.rowsLost)} (+${integer(summary.duplicates)} dup)`
        : integer(summary.rowsLost)
  ])
  for (const missing of unavailable) lines.push([missing.label, missing.reason, ...header.slice(2).map(() => "–")])
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)))
  const row = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`
  const rule = `|${widths.map((width, column) => (column === 0 ? `${"-".repeat(width + 1)}-` : `${"-".repeat(width + 1)}:`)).join("|")}|`
  return [row(header), rule, ...lines.map(row)].join("\n")
}

/** The sending policy's figures of each contender that reported some, one line each. */
export const formatSending = (summaries: ReadonlyArray<Summary>): Array<string> =>
  summaries.flatMap((summary) =>
    summary.sending === undefined
      ? []
      : [
          `- ${summary.label}: ${Object.entries(summary.sending)
            .map(([name, value]) => `${name} ${typeof value === "number" ? value.toLocaleString("en-US") : String(value)}`)
            .join(", ")}`
        ]
  )

import { median } from "../Summary.ts"
import type { StepResult } from "./IncrementalRun.ts"

/** The median of a step's repeats, field by field (notes: all of them). */
export const medianStep = (runs: ReadonlyArray<StepResult>): StepResult & { readonly runs: number } => {
  const first = runs[0]!
  const of = (pick: (run: StepResult) => number) => median(runs.map(pick))
  return {
    ...first,
    runs: runs.length,
    seconds: of((run) => run.seconds),
    cpuSeconds: of((run) => run.cpuSeconds),
    peakRssBytes: of((run) => run.peakRssBytes),
    rowsRead: of((run) => run.rowsRead),
    requests: of((run) => run.requests),
    messagesReceived: of((run) => run.messagesReceived),
    distinctMessageIds: of((run) => run.distinctMessageIds),
    bytesReceived: of((run) => run.bytesReceived),
    snapshotBytes: of((run) => run.snapshotBytes),
    notes: [...new Set(runs.flatMap((run) => run.notes))]
  }
}

const integer = (value: number): string => Math.round(value).toLocaleString("en-US")
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0)

/** A Markdown table: first column left-aligned, the others right-aligned. */
export const markdownTable = (header: ReadonlyArray<string>, lines: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? "").length)))
  const row = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`
  const rule = `|${widths.map((width, column) => `${"-".repeat(width + 1)}${column === 0 ? "-" : ":"}`).join("|")}|`
  return [row(header), rule, ...lines.map(row)].join("\n")
}

/**
 * The scenario's table: wall and CPU time, peak RSS, requests and messages the receiver got, rows
 * read per second, the snapshot's size after the run, and what the run classified.
 */
export const formatSteps = (steps: ReadonlyArray<StepResult>): string =>
  markdownTable(
    [
      "run",
      "wall s",
      "CPU s",
      "peak RSS MiB",
      "requests",
      "messages received",
      "rows/s",
      "snapshot MiB",
      "added / changed / unchanged (within tol.)"
    ],
    steps.map((step) => [
      step.label,
      step.seconds.toFixed(1),
      step.cpuSeconds.toFixed(1),
      mib(step.peakRssBytes),
      integer(step.requests),
      integer(step.messagesReceived),
      integer(step.rowsRead / step.seconds),
      step.snapshotBytes === 0 ? "–" : mib(step.snapshotBytes),
      step.plan === undefined
        ? "–"
        : `${integer(step.plan.added)} / ${integer(step.plan.changed)} / ${integer(step.plan.unchanged)} (${integer(step.plan.withinTolerance)})`
    ])
  )

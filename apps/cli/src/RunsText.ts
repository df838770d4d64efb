import { callCountsText, type RunRecord } from "@tablecast/core"
import { terminalText } from "./TerminalText.ts"

const padded = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

const seconds = (millis: number): string => `${(millis / 1000).toFixed(1)}s`

/** The start of a run, to the second, as a table shows it. */
const startText = (startedAt: string): string => startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")

/** `tablecast runs`: one line per run, the newest first (one text, no final newline). */
export const runsTableText = (runs: ReadonlyArray<RunRecord>): string => {
  if (runs.length === 0) return "no runs recorded (that match)"
  return padded([
    ["ID", "STARTED (UTC)", "SYNC", "KIND", "OUTCOME", "EXIT", "READ", "ACCEPTED", "REJECTED", "TOOK"],
    ...runs.map((run) => [
      run.id,
      startText(run.startedAt),
      terminalText(run.sync),
      run.dryRun ? `${run.kind} (dry)` : run.kind,
      run.outcome,
      String(run.exitCode),
      String(run.counts.read),
      String(run.counts.accepted),
      String(run.counts.rejected),
      seconds(run.durationMillis)
    ])
  ])
}

const mebibytes = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MiB`

/** `tablecast runs show <id>`: one run in full (one text, no final newline). */
export const runText = (run: RunRecord): string => {
  const c = run.counts
  const calls = callCountsText(c.calls, { format: String, mixedOnly: true })
  const lines = [
    `run ${run.id}: ${terminalText(run.sync)}, ${run.kind}${run.dryRun ? " (dry run)" : ""}, ${run.outcome}, exit ${run.exitCode}`,
    `  source       ${terminalText(run.source)}`,
    `  endpoint     ${terminalText(run.endpoint)}`,
    `  started      ${run.startedAt}`,
    `  ended        ${run.endedAt} (${seconds(run.durationMillis)})`,
    `  rows         read ${c.read}, mapped ${c.mapped}, rejected ${c.rejected}, skipped ${c.skipped}`,
    `  rejected by  source ${c.rejectedByReason.source}, validation ${c.rejectedByReason.validation}, batch refused ${c.rejectedByReason["batch-refused"]}, undelivered ${c.rejectedByReason.undelivered}`,
    `  messages     built ${c.built}, accepted ${c.accepted}, refused ${c.refused}, undelivered ${c.undelivered}`,
    ...(calls === undefined ? [] : [`  by call      ${calls}`]),
    `  requests     ${run.requests.total}, retries ${run.requests.retries}, 429s ${run.requests.throttled}, ${run.bytesSent} bytes sent`,
    `  throughput   ${run.throughput.rowsPerSecond} rows/s read, ${run.throughput.acceptedPerSecond} messages/s accepted`
  ]
  if (run.peakMemoryBytes !== undefined) lines.push(`  peak memory  ${mebibytes(run.peakMemoryBytes)}`)
  if (run.plan !== undefined) {
    const p = run.plan
    lines.push(
      `  plan         ${p.full ? "full, " : ""}added ${p.added}, changed ${p.changed}, unchanged ${p.unchanged}, removed ${p.removed}, duplicates ${p.duplicates}${p.guardTripped ? ", guard tripped" : ""}`
    )
  }
  const settings = Object.entries(run.settings)
  if (settings.length > 0) lines.push(`  settings     ${settings.map(([name, value]) => `${name}=${terminalText(String(value))}`).join(", ")}`)
  if (run.fatal !== undefined) lines.push(`  stopped      ${run.fatal.kind}: ${terminalText(run.fatal.message)}`)
  return lines.join("\n")
}

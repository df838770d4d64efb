import { callCountsText, type DeliveryReport } from "@tablecast/core"
import type { IncrementalReport } from "@tablecast/incremental"
import { terminalText } from "./TerminalText.ts"
import { trackingPlanLines } from "./TrackingPlanText.ts"

const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`)
const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`
const count = (n: number) => n.toLocaleString("en-US")

/** The sending figures of a run: "at most 9 in flight (peak 11), 18.8 req/s after 1 rate cut; 2 answered 429, 2 s waited on them". */
export const sendingSummary = (sending: NonNullable<DeliveryReport["sending"]>): string => {
  const limit = `at most ${count(sending.concurrencyLimit)} in flight${sending.concurrencyLimitPeak > sending.concurrencyLimit ? ` (peak ${count(sending.concurrencyLimitPeak)})` : ""}`
  const rate =
    sending.rateLimit === undefined
      ? "no request rate limit"
      : `${sending.rateLimit} req/s${sending.rateCuts > 0 ? ` after ${count(sending.rateCuts)} rate cut${sending.rateCuts === 1 ? "" : "s"}` : ""}`
  const throttled =
    sending.throttled === 0 ? "" : `; ${count(sending.throttled)} answered 429, ${Math.round(sending.throttleWaitMillis / 1000)} s waited on them`
  return `${limit}, ${rate}${throttled}`
}

/** `1–200, 901–950`, the first few ranges of many. */
const rowRanges = (ranges: ReadonlyArray<readonly [number, number]>, shown = 5) =>
  ranges
    .slice(0, shown)
    .map(([from, to]) => (from === to ? count(from) : `${count(from)}–${count(to)}`))
    .join(", ") + (ranges.length > shown ? ` and ${count(ranges.length - shown)} more ranges` : "")

const HEADLINE: Record<DeliveryReport["outcome"], string> = {
  completed: "completed",
  incomplete: "finished, but not everything was delivered",
  aborted: "stopped"
}

/** The delivery report for a person: what was read, what arrived, what did not and why; headed by the sync's title (`SyncTitle`). */
export const reportText = (report: IncrementalReport, rejectsFile: string | undefined, title: string = report.sync): string => {
  const lines: Array<string> = []
  const { rows, messages, batches } = report
  const rate = report.durationMillis > 0 ? Math.round((rows.read * 1000) / report.durationMillis) : rows.read
  lines.push(
    `tablecast sync ${title}: ${report.dryRun ? "dry run " : ""}${HEADLINE[report.outcome]} in ${seconds(report.durationMillis)} (${count(rate)} rows/s)`
  )
  if (report.fatal !== undefined) lines.push(`  reason     ${report.fatal.message}`)
  lines.push(`  source     ${report.source}`)
  lines.push(`  endpoint   ${report.endpoint}`)
  lines.push(
    `  rows       ${count(rows.read)} read, ${count(rows.mapped)} mapped, ${count(rows.rejected)} rejected` +
      (rows.skipped > 0
        ? `, ${count(rows.skipped)} skipped (${report.incremental === undefined ? "delivered before the checkpoint" : "unchanged since the last run, or not sent by the mode"})`
        : "") +
      ((rows.repeated ?? 0) > 0 ? `; ${count(rows.repeated!)} repeat an earlier row (each sent under a messageId of its own)` : "")
  )
  const incremental = report.incremental
  if (incremental !== undefined) {
    const { rows: changes, send } = incremental
    lines.push(
      `  changes    ${count(changes.added)} added, ${count(changes.changed)} changed, ${count(changes.unchanged)} unchanged, ${count(changes.removed)} removed` +
        ` (snapshot of ${count(incremental.snapshot.rows)}; sent: ${count(send.rows)} rows, ${count(send.removals)} removals)`
    )
    if (incremental.snapshot.forgotten !== undefined) {
      lines.push(`  snapshot   rebuilt: ${count(incremental.snapshot.forgotten)} keys no row has any more were dropped`)
    }
  }
  if (report.resumedFrom !== undefined) lines.push(`  resumed    after row ${count(report.resumedFrom)} (the checkpoint of an interrupted run)`)
  // A sync of more than one call type: how many of each (`2,400 built (1,200 identify, 1,200 group)`).
  const calls = callCountsText(messages.calls, { mixedOnly: true })
  const built = `${count(messages.built)} built${calls === undefined ? "" : ` (${calls})`}`
  if (report.dryRun) {
    lines.push(`  messages   ${built}, none sent (dry run)`)
    lines.push(`  batches    ${count(batches.planned)} would be sent`)
  } else {
    lines.push(
      `  messages   ${built}, ${count(messages.accepted)} accepted, ${count(messages.refused)} refused, ${count(messages.undelivered)} undelivered`
    )
    lines.push(
      `  batches    ${count(batches.accepted)} accepted, ${count(batches.refused)} refused, ${count(batches.undelivered)} undelivered; ${count(batches.requests)} requests${batches.requestsForBisection === undefined ? "" : ` (${count(batches.requestsForBisection)} to find the messages refused)`}, ${count(batches.retries)} retries`
    )
    lines.push(`  sent       ${bytes(report.bytesSent)}`)
    if (report.sending !== undefined) lines.push(`  sending    ${sendingSummary(report.sending)}`)
    if (report.undeliveredRows !== undefined && report.undeliveredRows.length > 0) {
      lines.push(`  undelivered rows ${rowRanges(report.undeliveredRows)}`)
    }
    if (report.checkpoint !== undefined && !report.checkpoint.complete) {
      const again = report.checkpoint.undelivered ?? []
      lines.push(
        `  checkpoint rows up to ${count(report.checkpoint.watermark)} settled${again.length === 0 ? "" : ` but rows ${rowRanges(again)}`}; run the same command to resume${again.length === 0 ? "" : ", which sends those and the rows after"} (${report.checkpoint.location})`
      )
    }
  }
  if (report.rejects.total > 0) {
    const { byStage } = report.rejects
    const stages = Object.entries(byStage)
      .filter(([, n]) => n > 0)
      .map(([stage, n]) => `${count(n)} ${stage}`)
      .join(", ")
    lines.push(
      `  rejects    ${count(report.rejects.total)} (${stages})${rejectsFile === undefined ? "; pass --rejects <file.jsonl> to keep them all" : `, written to ${rejectsFile}`}`
    )
    for (const reject of report.rejects.sample.slice(0, 5)) {
      lines.push(`    row ${reject.row}${reject.line === undefined ? "" : ` (line ${reject.line})`}: ${reject.reason}`)
    }
    if (report.rejects.total > 5) lines.push(`    … ${count(report.rejects.total - 5)} more`)
  }
  if (report.trackingPlan !== undefined) {
    lines.push(...trackingPlanLines(report.trackingPlan))
    const { mode, warningsFile, rowsWithViolations, firstRows } = report.trackingPlan
    if (mode === "warn" && warningsFile === undefined && rowsWithViolations > firstRows.length) {
      lines.push("    pass --warnings <file.jsonl> (or --rejects) to keep every row sent with warnings")
    }
  }
  // Reasons and names come from the input: escaped, each line stays one line.
  return lines.map(terminalText).join("\n")
}

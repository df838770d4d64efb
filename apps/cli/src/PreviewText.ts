import type { PreviewResult } from "@tablecast/core"
import type { CommandText } from "./SyncResult.ts"
import { terminalJson, terminalText } from "./TerminalText.ts"
import { trackingPlanLines } from "./TrackingPlanText.ts"

/**
 * What `tablecast preview` prints: the messages on stdout, one JSON object per line; on stderr,
 * the type each column is sent as and what decided it, the repeated rows, and the rows that would
 * be rejected with their reasons.
 */
export const previewText = (result: PreviewResult): CommandText => {
  const stderr: Array<string> = []
  if (result.columnTypes.length > 0) {
    const width = Math.max(...result.columnTypes.map((line) => terminalText(line.column).length))
    stderr.push("column types (auto is decided once per column):")
    for (const line of result.columnTypes)
      stderr.push(`  ${terminalText(line.column).padEnd(width)}  ${line.type.padEnd(7)}  ${terminalText(line.basis)}`)
  }
  if (result.rowsRepeated > 0) {
    stderr.push(
      `${result.rowsRepeated} of the ${result.rowsRead} rows previewed repeat an earlier row: each is sent as a message of its own (its messageId counts the occurrence)`
    )
  }
  for (const reject of result.rejects)
    stderr.push(`row ${reject.row}${reject.line === undefined ? "" : ` (line ${reject.line})`} would be rejected: ${terminalText(reject.reason)}`)
  if (result.trackingPlan !== undefined) for (const line of trackingPlanLines(result.trackingPlan, "")) stderr.push(terminalText(line))
  return { stdout: result.messages.map((message) => terminalJson(message)), stderr }
}

/** `preview --json`: one object, the messages parsed (as they would be sent), what decided each column's type, the rows refused. */
export const previewJson = (result: PreviewResult) => ({
  messages: result.messages.map((message) => JSON.parse(message) as unknown),
  columnTypes: result.columnTypes,
  rowsRead: result.rowsRead,
  rowsRepeated: result.rowsRepeated,
  rejects: result.rejects,
  ...(result.trackingPlan === undefined ? {} : { trackingPlan: result.trackingPlan })
})

/** Why a preview exits 3, in one line. */
export const rejectsLine = (result: PreviewResult): string => `${result.rejects.length} of the ${result.rowsRead} rows previewed would be rejected`

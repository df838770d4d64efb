import type { SyncProposal } from "@tablecast/config"
import type { SourceDescription, TableSummary } from "@tablecast/core"
import { terminalJson, terminalText } from "./TerminalText.ts"

const show = (value: unknown): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value)
  return text.length > 24 ? `${text.slice(0, 23)}…` : text
}

const pad = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

const yesNo = (value: boolean | undefined) => (value === undefined ? "?" : value ? "yes" : "no")

/** The tables a connection can read, as `tablecast inspect` prints them (one text, no final newline). */
export const tablesText = (tables: ReadonlyArray<TableSummary>, sourceType: string, json: boolean): string => {
  if (json) return terminalJson(JSON.stringify({ tables }, null, 2))
  if (tables.length === 0) return "no tables this connection can read"
  const table = pad([
    ["TABLE", "KIND", "ROWS (estimate)"],
    ...tables.map((t) => [terminalText(t.table), t.kind, t.estimatedRows === undefined ? "?" : String(t.estimatedRows)])
  ])
  return `${table}\n\ninspect one: tablecast inspect --${sourceType} … --table <TABLE>`
}

/** What decided each column's type and what a sync would reject, where the rows decided (a file). */
const columnNotes = (description: SourceDescription): string => {
  let text = ""
  const decided = description.columns.find((c) => c.sentAs !== undefined)?.sentAs?.basis
  if (description.repeats !== undefined && decided !== undefined)
    text += `AUTO SENDS: each column's type, ${terminalText(decided)} (as a sync decides it)\n`
  for (const c of description.columns) {
    if (c.sentAs?.note !== undefined && c.sentAs.type === "number") text += `  - ${terminalText(c.name)}: ${terminalText(c.sentAs.note)}\n`
    if (c.misfit !== undefined) {
      text += `${terminalText(
        `  - ${c.name}: typed number from the first rows, but row ${c.misfit.row} holds ${show(JSON.stringify(c.misfit.value))}: a sync would reject that row (--column ${c.name}=string sends the column as text)`
      )}\n`
    }
  }
  return text
}

/**
 * A table's (or a file's, or a query's) columns with their types and samples, and the sync
 * proposed from them, as `tablecast inspect` prints them (one text, no final newline).
 */
export const descriptionText = (description: SourceDescription, name: string, proposal: SyncProposal, json: boolean): string => {
  if (json) return terminalJson(JSON.stringify({ ...description, proposal: { name, ...proposal } }, null, 2))
  const rows = description.estimatedRows === undefined ? "row count unknown" : `~${description.estimatedRows} rows`
  let text = `${terminalText(description.description)}: ${description.columns.length} columns, ${rows}\n\n`
  text += `${pad([
    ["COLUMN", "TYPE", "AS JSON", "AUTO SENDS", "EMPTY", "UNIQUE", "SAMPLES"],
    ...description.columns.map((c) =>
      [c.name, c.sourceType, c.kind, c.sentAs?.type ?? "?", yesNo(c.nullable), yesNo(c.unique), c.samples.map(show).join(", ")].map(terminalText)
    )
  ])}\n\n`
  text += `${columnNotes(description)}\n`
  if (description.repeats !== undefined && description.repeats.repeated > 0) {
    const { scanned, repeated } = description.repeats
    text += `${repeated} of the ${scanned} rows scanned repeat an earlier row exactly: a sync sends each as a message of its own (its messageId counts the occurrence)\n\n`
  }
  text += `proposed sync "${terminalText(name)}":\n${terminalJson(JSON.stringify(proposal.spec, null, 2))}`
  for (const note of proposal.notes) text += `\n  - ${terminalText(note)}`
  return text
}

/** The name of a sync proposed from what a source reads: the table's or the file's, without schema or extension. */
export const proposedSyncName = (readsFrom: string): string =>
  readsFrom
    .replace(/\.[^.]+$/, "")
    .split(".")
    .pop()!
    .replace(/[^\w.-]+/g, "-")
    .toLowerCase()

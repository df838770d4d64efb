import type { SourceItem } from "@tablecast/core"
import { parse } from "csv-parse/browser/esm/sync"
import { RequestError } from "./RequestError.ts"
import type { RequestRows } from "./RequestRows.ts"

/**
 * Parses a CSV request body into rows: the first record names the columns, each later record is a
 * row numbered from 1. A record with the wrong number of fields is a malformed row (rejected with
 * its reason, reading goes on); a broken quote makes the rest of the text unreadable, so it is a
 * 400 naming the line.
 *
 * csv-parse's browser build carries its own small Buffer shim and imports no `node:` module, so
 * the same parser runs on Workers and on Node.
 */
export const parseCsvRows = (text: string): RequestRows => {
  let records: Array<{ record: string[]; info: { lines: number } }>
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // Mixed line endings happen when files are concatenated; accept all three.
      record_delimiter: ["\r\n", "\n", "\r"]
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>
  } catch (error) {
    const cause = error as { code?: string; lines?: number; message?: string }
    const line = typeof cause.lines === "number" ? ` (line ${cause.lines})` : ""
    throw new RequestError(400, "body", `not readable as CSV${line}: ${firstSentence(cause.message ?? "parse error")}`)
  }
  const header = records[0]
  if (header === undefined) throw new RequestError(400, "body", "the CSV is empty: it needs a header line")
  const columns = header.record.map((name) => name.trim())
  const seen = new Set<string>()
  columns.forEach((name, index) => {
    if (name === "") throw new RequestError(400, "body", `CSV header: column ${index + 1} has no name`)
    if (seen.has(name)) throw new RequestError(400, "body", `CSV header: column "${name}" appears twice`)
    seen.add(name)
  })
  const items: Array<SourceItem> = []
  for (let index = 1; index < records.length; index++) {
    const { record, info } = records[index]!
    const rowNumber = index
    if (record.length !== columns.length) {
      items.push({
        _tag: "Malformed",
        malformed: {
          rowNumber,
          line: info.lines,
          reason: `expected ${columns.length} fields, got ${record.length}`
        }
      })
      continue
    }
    const values: Record<string, unknown> = {}
    for (let c = 0; c < columns.length; c++) values[columns[c]!] = record[c]
    items.push({ rowNumber, values })
  }
  return { items, columns: columns.length, names: columns }
}

/** csv-parse's messages go on to list what it expected; the first sentence is the useful part. */
const firstSentence = (message: string): string => {
  const cut = message.indexOf(": got")
  return cut > 0 ? message.slice(0, cut) : message.slice(0, 200)
}

import type { Cell, HostileCase } from "./HostileTable.ts"

// A case as the bytes a user would hand over: a CSV file (or body), or an edge JSON body.

export const EVENT = "Hostile Row"

/** The customer id of a row's group: identical rows share it, distinct rows never do. */
export const userIdOf = (group: number): string => `c${group}`

const quoted = (text: string): string => `"${text.replaceAll('"', '""')}"`

/** A cell's bytes between its quotes: the text, with its invalid bytes after the first character. */
const cellBytes = (cell: Cell): Buffer => {
  const text = cell.text.replaceAll('"', '""')
  if (cell.invalidBytes === undefined) return Buffer.from(text, "utf8")
  return Buffer.concat([Buffer.from(text.slice(0, 1), "utf8"), Buffer.from(cell.invalidBytes), Buffer.from(text.slice(1), "utf8")])
}

/** The CSV: every field quoted (values hold delimiters, quotes, line breaks), lines ending in \n. */
export const csvBytes = (hostile: HostileCase): Buffer => {
  const parts: Array<Buffer> = [
    Buffer.from(`${[quoted("customer_id"), ...hostile.columns.map((column) => quoted(column.name))].join(",")}\n`, "utf8")
  ]
  for (const row of hostile.rows) {
    parts.push(Buffer.from(`${quoted(userIdOf(row.group))}`, "utf8"))
    for (const cell of row.cells) parts.push(Buffer.from(',"'), cellBytes(cell), Buffer.from('"'))
    parts.push(Buffer.from("\n"))
  }
  return Buffer.concat(parts)
}

/** The sync's spec, for the edge (the CLI gets the same as flags). */
export const specOf = (hostile: HostileCase): Record<string, unknown> => {
  const json = hostile.columns.filter((column) => column.kind === "json").map((column) => column.name)
  return {
    name: `hostile-${hostile.id}`,
    event: EVENT,
    customerId: "customer_id",
    ...(json.length > 0 ? { columns: Object.fromEntries(json.map((name) => [name, "json"])) } : {})
  }
}

/**
 * The edge's JSON body `{ spec, options, rows }`: text and mixed cells as JSON strings, json cells
 * as the JSON values themselves (a deep one nested in the body as it is). Invalid bytes go inside
 * their string raw, so the body is not UTF-8 where the table is not.
 */
export const jsonBody = (hostile: HostileCase, options: Record<string, unknown>): Buffer => {
  const inserts: Array<Buffer> = []
  const marker = (bytes: Buffer) => `@@HOSTILE_${inserts.push(bytes) - 1}@@`
  const rows = hostile.rows.map((row) => {
    const values: Record<string, unknown> = { customer_id: userIdOf(row.group) }
    hostile.columns.forEach((column, index) => {
      const cell = row.cells[index]!
      if (column.kind === "json") values[column.name] = marker(Buffer.from(cell.text, "utf8"))
      else if (cell.invalidBytes !== undefined) {
        // Text cells start with "t_": the bytes go after the "t", as in the CSV.
        values[column.name] = `${cell.text.slice(0, 1)}${marker(Buffer.from(cell.invalidBytes))}${cell.text.slice(1)}`
      } else values[column.name] = cell.text
    })
    return values
  })
  const text = JSON.stringify({ spec: specOf(hostile), options, rows })
  const parts: Array<Buffer> = []
  let at = 0
  for (const match of text.matchAll(/"@@HOSTILE_(\d+)@@"|@@HOSTILE_(\d+)@@/g)) {
    parts.push(Buffer.from(text.slice(at, match.index), "utf8"))
    parts.push(inserts[Number(match[1] ?? match[2])]!)
    at = match.index + match[0].length
  }
  parts.push(Buffer.from(text.slice(at), "utf8"))
  return Buffer.concat(parts)
}

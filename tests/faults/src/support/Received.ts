import { createReadStream } from "node:fs"
import { access } from "node:fs/promises"
import { createInterface } from "node:readline"
import { rowOf } from "./Rows.ts"

/** What the receiver stored, read back from its JSONL file(s). */
export interface Received {
  /** Messages stored, duplicates included. */
  readonly stored: number
  /** Distinct messageIds among them. */
  readonly distinctIds: number
  /** Row → the distinct messageIds stored for it. */
  readonly idsByRow: ReadonlyMap<number, ReadonlySet<string>>
  /** Row → how many times a message of it was stored. */
  readonly copiesByRow: ReadonlyMap<number, number>
}

/** Reads the sink's `out` files (a restarted sink may write a second one). Missing files hold nothing. */
export const readReceived = async (...files: ReadonlyArray<string>): Promise<Received> => {
  const ids = new Set<string>()
  const idsByRow = new Map<number, Set<string>>()
  const copiesByRow = new Map<number, number>()
  let stored = 0
  for (const file of files) {
    try {
      await access(file)
    } catch {
      continue
    }
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })
    for await (const line of lines) {
      if (line === "") continue
      const message = JSON.parse(line) as { messageId: string; userId?: string }
      const row = rowOf(message.userId)
      stored++
      ids.add(message.messageId)
      let rowIds = idsByRow.get(row)
      if (rowIds === undefined) {
        rowIds = new Set()
        idsByRow.set(row, rowIds)
      }
      rowIds.add(message.messageId)
      copiesByRow.set(row, (copiesByRow.get(row) ?? 0) + 1)
    }
  }
  return { stored, distinctIds: ids.size, idsByRow, copiesByRow }
}

/** 1..n */
export const rowRange = (from: number, to: number): Array<number> => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)

/**
 * What is wrong with a delivery that should hold each of `rows` under exactly `messagesPerRow`
 * messageIds (1, or 2 for `--type both`) and nothing else; empty when nothing is. Reports a few
 * examples rather than a huge diff.
 */
export const deliveryProblems = (received: Received, rows: ReadonlyArray<number>, messagesPerRow = 1): Array<string> => {
  const problems: Array<string> = []
  const expected = new Set(rows)
  const missing = rows.filter((row) => !received.idsByRow.has(row))
  if (missing.length > 0) problems.push(`${missing.length} rows never arrived, e.g. ${missing.slice(0, 5).join(", ")}`)
  const unexpected = [...received.idsByRow.keys()].filter((row) => !expected.has(row))
  if (unexpected.length > 0) problems.push(`${unexpected.length} rows arrived that should not have, e.g. ${unexpected.slice(0, 5).join(", ")}`)
  const split = [...received.idsByRow].filter(([, ids]) => ids.size !== messagesPerRow)
  if (split.length > 0) {
    problems.push(
      `${split.length} rows arrived under other than ${messagesPerRow} messageId(s), e.g. row ${split[0]![0]} under ${split[0]![1].size}`
    )
  }
  if (received.distinctIds !== rows.length * messagesPerRow && problems.length === 0) {
    problems.push(`${received.distinctIds} distinct messageIds for ${rows.length} rows`)
  }
  return problems
}

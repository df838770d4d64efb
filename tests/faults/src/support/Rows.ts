import { createWriteStream } from "node:fs"
import { once } from "node:events"

/**
 * Model output to send: row `i` (1-based, the CSV reader's row number) has customer id `c<i>`, so
 * the receiver's messages name the rows they came from.
 */
export const customerId = (row: number): string => `c${row}`

/** The row a message came from, by its userId; NaN for a userId not made by `customerId`. */
export const rowOf = (userId: unknown): number => (typeof userId === "string" && /^c\d+$/.test(userId) ? Number(userId.slice(1)) : Number.NaN)

export const HEADER = "customer_id,score,segment,model_version"

/** One data row; the score is a deterministic function of the row, so files are reproducible. */
export const rowLine = (row: number): string => `${customerId(row)},${((row * 7919) % 10_000) / 10_000},s${row % 7},churn-v3`

/**
 * Writes a CSV of `count` rows (plus the header) through a stream, so a million rows never sit in
 * memory. `line` can replace some rows (bad input cases).
 */
export const writeRowsCsv = async (
  file: string,
  count: number,
  line: (row: number) => string = rowLine,
  header: string = HEADER
): Promise<void> => {
  const stream = createWriteStream(file)
  let chunk = `${header}\n`
  for (let row = 1; row <= count; row++) {
    chunk += `${line(row)}\n`
    if (chunk.length > 256 * 1024) {
      if (!stream.write(chunk)) await once(stream, "drain")
      chunk = ""
    }
  }
  stream.end(chunk)
  await once(stream, "finish")
}

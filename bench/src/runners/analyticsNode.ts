// The usual alternative: what a user writes with Segment's official Node library. The same CSV,
// the same parser (csv-parse, rows as objects), one `track` per row with the scores as numbers,
// `flushAt` 100 (Segment's batching default) or, with "defaults", the library's own (15), then
// `closeAndFlush`. Nothing else: no concurrency bound, no backpressure, no retry settings of its
// own — the library's defaults. Prints `{ rows, deliveryFailures, firstFailure? }` as JSON.
//
//   node analyticsNode.js FILE.csv HOST [FLUSH_AT|defaults]
import { createReadStream } from "node:fs"
import { Analytics } from "@segment/analytics-node"
import { parse } from "csv-parse"
import { columns, mapping } from "../Dataset.ts"

const [file, host, flushAtArg = "100"] = process.argv.slice(2)
if (file === undefined || host === undefined) throw new Error("usage: analyticsNode.js FILE.csv HOST [FLUSH_AT|defaults]")

const scoreColumns = columns.slice(1, 11)
const analytics = new Analytics({ writeKey: "bench-write-key", host, ...(flushAtArg === "defaults" ? {} : { flushAt: Number(flushAtArg) }) })
let deliveryFailures = 0
let firstFailure: string | undefined
analytics.on("error", (error) => {
  deliveryFailures++
  firstFailure ??= String((error as { reason?: unknown }).reason ?? error.code)
})

let rows = 0
for await (const row of createReadStream(file).pipe(parse({ columns: true })) as AsyncIterable<Record<string, string>>) {
  rows++
  const properties: Record<string, unknown> = { segment: row["segment"] }
  for (const column of scoreColumns) properties[column] = Number(row[column])
  analytics.track({
    userId: row[mapping.customerId]!,
    event: mapping.event,
    properties,
    timestamp: row[mapping.timestamp]!
  })
}
await analytics.closeAndFlush()
process.stdout.write(`${JSON.stringify({ rows, deliveryFailures, ...(firstFailure === undefined ? {} : { firstFailure }) })}\n`)

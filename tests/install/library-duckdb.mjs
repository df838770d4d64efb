// @tablecast/source-duckdb as published: its engine (@duckdb/node-api, a prebuilt native binary
// from the registry) installed by npm, an NDJSON file read through it by the Effect API and sent by
// @tablecast/segment to the receiver the install check started (TABLECAST_TEST_ENDPOINT). Exits 0
// when the receiver got every row with its exact values' types, 1 with a message otherwise.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PipelineOptions, RejectSink, Sync, SyncSpec } from "@tablecast/core"
import { SegmentTransport } from "@tablecast/segment"
import * as DuckDBSource from "@tablecast/source-duckdb"
import { Effect, Layer, Redacted } from "effect"

const endpoint = process.env.TABLECAST_TEST_ENDPOINT
if (endpoint === undefined || endpoint === "") {
  console.error("library-duckdb: set TABLECAST_TEST_ENDPOINT to a receiver's base URL (tablecast sink)")
  process.exit(1)
}

const rowCount = 20
const folder = mkdtempSync(join(tmpdir(), "tablecast-library-duckdb-"))
const file = join(folder, "scores.ndjson")
const lines = []
for (let row = 1; row <= rowCount; row++) lines.push(JSON.stringify({ customer_id: `duckdb-${row}`, churn: row / 100, tags: ["a"] }))
writeFileSync(file, `${lines.join("\n")}\n`)

const acceptedByReceiver = async () => {
  const answer = await fetch(`${endpoint}/stats`)
  if (!answer.ok) throw new Error(`GET ${endpoint}/stats answered ${answer.status}`)
  return (await answer.json()).messagesAccepted
}

try {
  const before = await acceptedByReceiver()
  const report = await Effect.runPromise(
    Sync.run({
      spec: SyncSpec.parse({ event: "Library DuckDB Check", customerId: "customer_id" }),
      options: PipelineOptions.parse({ maxRetryMillis: 20_000 })
    }).pipe(
      Effect.provide(
        Layer.mergeAll(DuckDBSource.layer({ file }), SegmentTransport.layer({ writeKey: Redacted.make("test"), endpoint }), RejectSink.discard)
      )
    )
  )
  const received = (await acceptedByReceiver()) - before
  const problems = []
  if (report.outcome !== "completed") problems.push(`outcome ${report.outcome}${report.fatal ? ` (${report.fatal.message})` : ""}`)
  if (report.messages.accepted !== rowCount) problems.push(`messages.accepted ${report.messages.accepted}, expected ${rowCount}`)
  if (received !== rowCount) problems.push(`the receiver accepted ${received} messages, expected ${rowCount}`)
  if (problems.length > 0) {
    console.error(`library-duckdb: ${problems.join("; ")}`)
    process.exitCode = 1
  } else {
    console.log(`library-duckdb: ${rowCount} rows of an NDJSON file read through DuckDB and received`)
  }
} finally {
  rmSync(folder, { recursive: true, force: true })
}

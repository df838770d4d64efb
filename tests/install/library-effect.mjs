// The Effect API of the published packages, used as packages/core/README.md shows it: a CSV file
// through @tablecast/source-csv, sent by @tablecast/segment to the receiver the install check
// started (TABLECAST_TEST_ENDPOINT). Run by scripts/install-check from a folder where the tarballs
// were installed with npm, so every import resolves to what a user would get. Exits 0 when the
// receiver got every row, 1 with a message otherwise.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PipelineOptions, RejectSink, Sync, SyncSpec } from "@tablecast/core"
import { SegmentTransport } from "@tablecast/segment"
import { CsvSource } from "@tablecast/source-csv"
import { Effect, Layer, Redacted } from "effect"

const endpoint = process.env.TABLECAST_TEST_ENDPOINT
if (endpoint === undefined || endpoint === "") {
  console.error("library-effect: set TABLECAST_TEST_ENDPOINT to a receiver's base URL (tablecast sink)")
  process.exit(1)
}

const rowCount = 20
const folder = mkdtempSync(join(tmpdir(), "tablecast-library-effect-"))
const file = join(folder, "scores.csv")
const lines = ["customer_id,iphone"]
for (let row = 1; row <= rowCount; row++) lines.push(`effect-${row},${(row / 100).toFixed(2)}`)
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
      spec: SyncSpec.parse({ event: "Library Effect Check", customerId: "customer_id" }),
      // A receiver that does not answer fails the check in seconds, not after the 10-minute retry budget.
      options: PipelineOptions.parse({ maxRetryMillis: 20_000 })
    }).pipe(
      Effect.provide(
        Layer.mergeAll(CsvSource.layer({ path: file }), SegmentTransport.layer({ writeKey: Redacted.make("test"), endpoint }), RejectSink.discard)
      )
    )
  )
  const received = (await acceptedByReceiver()) - before
  const problems = []
  if (report.outcome !== "completed") problems.push(`outcome ${report.outcome}${report.fatal ? ` (${report.fatal.message})` : ""}`)
  if (report.rows.read !== rowCount) problems.push(`rows.read ${report.rows.read}, expected ${rowCount}`)
  if (report.messages.accepted !== rowCount) problems.push(`messages.accepted ${report.messages.accepted}, expected ${rowCount}`)
  if (received !== rowCount) problems.push(`the receiver accepted ${received} messages, expected ${rowCount}`)
  if (problems.length > 0) {
    console.error(`library-effect: ${problems.join("; ")}`)
    process.exitCode = 1
  } else {
    console.log(`library-effect: ${rowCount} rows sent through the Effect API and received`)
  }
} finally {
  rmSync(folder, { recursive: true, force: true })
}

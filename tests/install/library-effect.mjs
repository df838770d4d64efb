// The Effect API (@tablecast/core + source-csv + segment, with effect) as docs/library.md shows it,
// as a user installs it: run with the folder where the packed tarballs were installed with npm as
// the current folder, and the endpoint of a local receiver in TABLECAST_TEST_ENDPOINT. Exits 0
// when every row of a small CSV is delivered; otherwise 1 with a message.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import path from "node:path"
import { pathToFileURL } from "node:url"

const exitWith = (message) => {
  console.error(`library-effect: ${message}`)
  process.exit(1)
}
/** A failed check inside the run: reported once the temporary folder is removed. */
class CheckFailed extends Error {}
const fail = (message) => {
  throw new CheckFailed(message)
}

// Packages are resolved from the current folder (the install), not from this script's folder.
const installed = createRequire(path.join(process.cwd(), "package.json"))
const load = async (name) => {
  try {
    return await import(pathToFileURL(installed.resolve(name)).href)
  } catch (error) {
    return exitWith(`cannot import ${name} from ${process.cwd()}: ${error.message}`)
  }
}

const endpoint = process.env.TABLECAST_TEST_ENDPOINT
if (!endpoint) exitWith("set TABLECAST_TEST_ENDPOINT to the local receiver's URL")

const { PipelineOptions, RejectSink, Sync, SyncSpec } = await load("@tablecast/core")
const { SegmentTransport } = await load("@tablecast/segment")
const { CsvSource } = await load("@tablecast/source-csv")
const { Effect, Layer, Redacted } = await load("effect")

const dir = await mkdtemp(path.join(tmpdir(), "tablecast-library-effect-"))
try {
  const rows = 25
  const file = path.join(dir, "scores.csv")
  const lines = Array.from({ length: rows }, (_, i) => `c${i + 1},${((i + 1) / 100).toFixed(2)}`)
  await writeFile(file, `customer_id,churn_score\n${lines.join("\n")}\n`)

  const report = await Effect.runPromise(
    Sync.run({
      spec: SyncSpec.parse({ event: "Churn Scored", customerId: "customer_id" }),
      // A receiver that does not answer fails the check in seconds, not after the 10-minute retry budget.
      options: PipelineOptions.parse({ maxRetryMillis: 20_000 })
    }).pipe(
      Effect.provide(
        Layer.mergeAll(CsvSource.layer({ path: file }), SegmentTransport.layer({ endpoint, writeKey: Redacted.make("test") }), RejectSink.discard)
      )
    )
  )
  if (report.outcome !== "completed") fail(`outcome ${report.outcome}: ${report.fatal?.message ?? "(no fatal cause)"}`)
  if (report.rows.read !== rows || report.messages.accepted !== rows) {
    fail(`read ${report.rows.read} rows, ${report.messages.accepted} accepted; expected ${rows} of each`)
  }
  console.log(`library-effect: ${report.messages.accepted} of ${report.rows.read} rows delivered with @tablecast/core`)
} catch (error) {
  console.error(`library-effect: ${error instanceof CheckFailed ? error.message : `${error.name}: ${error.message}`}`)
  process.exitCode = 1
} finally {
  await rm(dir, { recursive: true, force: true })
}

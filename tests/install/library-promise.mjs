// The Promise API (@tablecast/node) as a user installs it: run with the folder where the packed
// tarballs were installed with npm as the current folder, and the endpoint of a local receiver in
// TABLECAST_TEST_ENDPOINT. Exits 0 when every row of a small CSV is delivered; otherwise 1 with a message.
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import path from "node:path"
import { pathToFileURL } from "node:url"

const exitWith = (message) => {
  console.error(`library-promise: ${message}`)
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

const { preview, startSync, OptionsError } = await load("@tablecast/node")
const dir = await mkdtemp(path.join(tmpdir(), "tablecast-library-promise-"))
try {
  const rows = 25
  const lines = Array.from({ length: rows }, (_, i) => `c${i + 1},${((i + 1) / 100).toFixed(2)}`)
  await writeFile(path.join(dir, "scores.csv"), `customer_id,churn_score\n${lines.join("\n")}\n`)
  const options = { source: { type: "csv", path: "scores.csv" }, cwd: dir, event: "Churn Scored", customerId: "customer_id" }

  const { messages } = await preview({ ...options, limit: 2 })
  if (messages.length !== 2 || messages[0].userId !== "c1") fail(`preview gave ${JSON.stringify(messages)}`)

  // A receiver that does not answer fails the check in seconds, not after the 10-minute retry budget.
  const run = startSync({ ...options, writeKey: "test", destination: { endpoint }, pipeline: { maxRetryMillis: 20_000 } })
  let lastAccepted = 0
  for await (const progress of run.progress) lastAccepted = progress.messagesAccepted
  const report = await run.report
  if (report.outcome !== "completed") fail(`outcome ${report.outcome}: ${report.fatal?.message ?? "(no fatal cause)"}`)
  if (report.rows.read !== rows || report.messages.accepted !== rows) {
    fail(`read ${report.rows.read} rows, ${report.messages.accepted} accepted; expected ${rows} of each`)
  }
  if (lastAccepted !== rows) fail(`the last progress said ${lastAccepted} accepted, the report ${report.messages.accepted}`)

  const bad = await startSync({ ...options, writeKey: "test", destination: { endpoint }, pipeline: { batchCount: 0 } }).report.catch(
    (error) => error
  )
  if (!(bad instanceof OptionsError) || bad.option !== "pipeline.batchCount") fail(`a bad option gave ${bad}`)

  console.log(`library-promise: ${report.messages.accepted} of ${report.rows.read} rows delivered with @tablecast/node`)
} catch (error) {
  console.error(`library-promise: ${error instanceof CheckFailed ? error.message : `${error.name}: ${error.message}`}`)
  process.exitCode = 1
} finally {
  await rm(dir, { recursive: true, force: true })
}

/**
 * The soak run: a million rows through the built CLI to a receiver injecting every kind of fault
 * at once. Prints its figures and exits 1 if a row was lost, a message counted twice, or the
 * report disagrees with the receiver. Not part of `pnpm test` (it takes minutes):
 *
 *   npx -y pnpm@12.4.2 --filter @tablecast/faults-tests soak [-- --rows 1000000 --seed 42]
 *
 * Needs the CLI built (`turbo run build --filter=@tablecast/cli...`). Runs on Node's type stripping.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { parseArgs } from "node:util"
import { mixedFaults, rssByTenth, runSoak } from "./support/Soak.ts"

const { values } = parseArgs({
  // pnpm passes the "--" that separates its own flags from the script's.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    rows: { type: "string", default: "1000000" },
    seed: { type: "string", default: "42" },
    keep: { type: "boolean", default: false }
  }
})
const rows = Number(values.rows)
const seed = Number(values.seed)
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`
const count = (n: number) => n.toLocaleString("en-US")

const dir = await mkdtemp(path.join(tmpdir(), "tablecast-soak-"))
const faults = mixedFaults(seed)
console.log(`soak: ${count(rows)} rows, seed ${seed}, faults ${JSON.stringify(faults)}, --timeout 1000`)
const result = await runSoak({ rows, dir, faults, requestTimeoutMillis: 1_000, cliTimeoutMillis: 15 * 60_000 })
const { report, sink } = result

const checks: Array<[string, boolean]> = [
  ["exit code 0", result.exitCode === 0],
  ["every row delivered, each under one messageId", result.problems.length === 0],
  ["distinct messageIds at the receiver = rows", sink.uniqueMessageIds === rows],
  ["report: accepted = rows (no message counted twice)", report.messages.accepted === rows],
  [
    "report: built = accepted + refused + undelivered",
    report.messages.built === report.messages.accepted + report.messages.refused + report.messages.undelivered
  ],
  ["receiver stored = accepted + its duplicates", sink.messagesAccepted === report.messages.accepted + sink.duplicateMessageIds],
  ["duplicates only from timed-out requests (≤ 100 per timeout)", sink.duplicateMessageIds <= sink.faults.slowed * 100],
  ["nothing dropped for size or count", sink.droppedMessages === 0 && (sink.rejectedByStatus["400"] ?? 0) === 0]
]
const tenths = rssByTenth(result.rssSamplesKiB)
// Flat: once warmed up (a third of the run), the resident set stops growing with the rows sent.
if (rows >= 500_000 && tenths.length === 10) {
  checks.push(["memory flat: RSS at the end within 30% of RSS at 30% of the run", tenths[9]! <= tenths[2]! * 1.3])
}

const seconds = result.wallMillis / 1000
console.log(`
rows                 ${count(rows)}
wall time            ${seconds.toFixed(1)} s (${count(Math.round(rows / seconds))} rows/s, CLI start included)
peak RSS (VmHWM)     ${mib(result.peakRssKiB)}
RSS by tenth of run  ${tenths.map(mib).join(", ")}
requests             ${count(report.batches.requests)} (${count(report.batches.retries)} retries)
faults injected      429 ×${sink.faults.throttled}, 5xx ×${sink.faults.serverErrors}, reset ×${sink.faults.droppedConnections}, half-written ×${sink.faults.halfWritten}, slow (timeouts) ×${sink.faults.slowed}
receiver stored      ${count(sink.messagesAccepted)} messages, ${count(sink.uniqueMessageIds)} distinct, ${count(sink.duplicateMessageIds)} duplicates
report               ${count(report.messages.accepted)} accepted, ${count(report.messages.refused)} refused, ${count(report.messages.undelivered)} undelivered
`)
for (const [name, ok] of checks) console.log(`${ok ? "ok  " : "FAIL"} ${name}`)
for (const problem of result.problems) console.log(`     ${problem}`)
if (result.exitCode !== 0) console.log(result.stderr.slice(0, 2_000))

if (!values.keep) await rm(dir, { recursive: true, force: true })
else console.log(`kept ${dir}`)
process.exit(checks.every(([, ok]) => ok) ? 0 : 1)

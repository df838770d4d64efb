// `pnpm bench`: tablecast side by side with the bare bound, Segment's Node library and the
// Postgres source, on generated model output, against a local counting receiver. Prints the table
// (median of the repeats) and how the targets stand. See docs/performance.md.
//
//   node bench/dist/run.js [--rows 1000000] [--repeat 3] [--memory-rows 5000000] [--only bare,bulk]
//                          [--quick] [--seed 20260501] [--json results.json]
import { writeFile } from "node:fs/promises"
import os from "node:os"
import { parseArgs } from "node:util"
import { contenders, memoryContenders, optionalContenders } from "./Contenders.ts"
import { ensureDataset } from "./Dataset.ts"
import { type Measurement, measure } from "./Measure.ts"
import { dataDir, repoRoot } from "./Paths.ts"
import { ensurePostgresTable, postgresAvailable } from "./PostgresTable.ts"
import { formatTable, type Summary, summarize } from "./Summary.ts"
import { checkTargets } from "./Targets.ts"
import { count } from "./Args.ts"

const { values } = parseArgs({
  // `pnpm bench -- --quick` may pass the "--" along.
  args: process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--")),
  options: {
    rows: { type: "string" },
    repeat: { type: "string" },
    "memory-rows": { type: "string" },
    only: { type: "string" },
    quick: { type: "boolean", default: false },
    seed: { type: "string", default: "20260501" },
    json: { type: "string" },
    "node-flags": { type: "string" },
    help: { type: "boolean", default: false }
  }
})
if (values.help) {
  console.log(`usage: pnpm bench [options]
  --rows N         rows of the main dataset (default 1,000,000; --quick: 100,000)
  --repeat N       runs of each contender; the table shows the median (default 3; --quick: 1)
  --memory-rows N  rows of the memory run, tablecast only (default 5,000,000; --quick or 0: none)
  --only a,b       contenders: ${contenders.map((contender) => contender.key).join(", ")}
  --seed N         seed of the generated data (default 20260501)
  --node-flags=…   V8/Node flags for every measured process, e.g. --node-flags="--max-semi-space-size=8"
  --json FILE      also write every measurement as JSON`)
  process.exit(0)
}

const rows = count(values.rows, values.quick ? 100_000 : 1_000_000)
const repeat = Math.max(1, count(values.repeat, values.quick ? 1 : 3))
const memoryRows = count(values["memory-rows"], values.quick ? 0 : 5_000_000)
const seed = count(values.seed, 20260501)
const only = values.only?.split(",").map((key) => key.trim())
const nodeFlags = values["node-flags"]?.split(" ").filter((flag) => flag !== "") ?? []
const unknown = only?.filter((key) => !contenders.some((contender) => contender.key === key)) ?? []
if (unknown.length > 0) throw new Error(`unknown contenders: ${unknown.join(", ")}`)
let selected = contenders.filter((contender) => (only === undefined ? !optionalContenders.has(contender.key) : only.includes(contender.key)))

const say = (line: string) => process.stderr.write(`${line}\n`)
const integer = (value: number) => Math.round(value).toLocaleString("en-US")
const cpu = os.cpus()[0]?.model ?? "unknown CPU"
say(`machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`)

const dataset = await ensureDataset(dataDir, rows, seed)
say(`data: ${dataset.path} (${integer(dataset.rows)} rows, ${(dataset.bytes / 2 ** 20).toFixed(0)} MiB, sha256 ${dataset.sha256.slice(0, 12)}…)`)

let table: string | undefined
const skipped: Array<string> = []
if (selected.some((contender) => contender.needsPostgres)) {
  if (await postgresAvailable()) {
    say("postgres: loading the same rows into a table (once)…")
    table = await ensurePostgresTable(dataset)
    say(`postgres: ${process.env["PGHOST"]}:${process.env["PGPORT"] ?? 5432}, table ${table}`)
  } else {
    skipped.push('Postgres source: no server (run `eval "$(bash scripts/postgres/start.sh)"` first)')
    selected = selected.filter((contender) => !contender.needsPostgres)
  }
}

const describe = (run: Measurement) =>
  `${integer(run.rowsPerSecond)} rows/s, ${run.seconds.toFixed(1)} s (CPU ${run.cpuSeconds.toFixed(1)} s), ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ` +
  `${integer(run.requests)} requests, ${integer(run.rowsLost)} lost` +
  (run.receiver === undefined ? "" : `, receiver CPU ${run.receiver.cpuSeconds.toFixed(1)} s`) +
  (run.notes.length === 0 ? "" : ` — ${run.notes.join("; ")}`)

const measurements: Array<Measurement> = []
for (let round = 1; round <= repeat; round++) {
  // Round by round, so that a slow spell of the machine falls on every contender alike.
  for (const contender of selected) {
    const input = { csvPath: dataset.path, ...(table === undefined ? {} : { table }) }
    const run = await measure(contender, input, rows, repoRoot, nodeFlags)
    measurements.push(run)
    say(`run ${round}/${repeat} ${contender.label}: ${describe(run)}`)
  }
}
const summaries: Array<Summary> = selected.map((contender) => summarize(measurements.filter((run) => run.key === contender.key)))

const memoryRuns: Array<Measurement> = []
if (memoryRows > 0) {
  const big = await ensureDataset(dataDir, memoryRows, seed)
  say(`memory: ${big.path} (${integer(big.rows)} rows, ${(big.bytes / 2 ** 20).toFixed(0)} MiB)`)
  for (const contender of contenders.filter((c) => memoryContenders.has(c.key))) {
    const run = await measure(contender, { csvPath: big.path }, memoryRows, repoRoot, nodeFlags)
    memoryRuns.push(run)
    say(`memory ${contender.label}: ${describe(run)}`)
  }
}

const out: Array<string> = []
out.push(
  `${integer(rows)} rows of model output, median of ${repeat} run${repeat === 1 ? "" : "s"} each ` +
    `(${os.cpus().length} × ${cpu}, Node ${process.version}${nodeFlags.length === 0 ? "" : `, ${nodeFlags.join(" ")}`})`
)
out.push("")
out.push(formatTable(summaries))
const notes = summaries.flatMap((summary) => summary.notes.map((note) => `- ${summary.label}: ${note}`))
if (notes.length > 0) out.push("", ...notes)
if (memoryRuns.length > 0) {
  out.push("", `Memory, ${integer(memoryRows)} rows (one run each):`, "")
  out.push(formatTable(memoryRuns.map((run) => summarize([run]))))
}
for (const line of skipped) out.push("", `skipped: ${line}`)
out.push("", ...checkTargets(summaries, memoryRuns))
console.log(out.join("\n"))

if (values.json !== undefined) {
  await writeFile(values.json, `${JSON.stringify({ rows, repeat, seed, memoryRows, measurements, memoryRuns, summaries }, null, 2)}\n`)
}

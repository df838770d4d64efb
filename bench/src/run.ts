// `pnpm bench`: tablecast side by side with the bare bound and scripts built on Segment's Node
// library, on generated model output, against a local counting receiver that behaves like a
// network (issue #16): loopback, a latency per request, a rate limit, a fault mix. Prints a table
// per scenario (median of interleaved repeats) and how the targets stand, and writes it all as
// JSON to bench/.results/. See bench/README.md and docs/performance.md.
//
//   node bench/dist/run.js [--quick] [--scenario loopback,latency-80] [--only default,seed]
//                          [--repeat N] [--rows N] [--memory-rows N] [--seed N] [--json FILE]
import { mkdir, writeFile } from "node:fs/promises"
import os from "node:os"
import path from "node:path"
import { parseArgs } from "node:util"
import { count } from "./Args.ts"
import { readCliFlags } from "./CliFlags.ts"
import { memoryContenders } from "./Contenders.ts"
import { ensureDataset } from "./Dataset.ts"
import { type Measurement, measure } from "./Measure.ts"
import { benchRoot, dataDir, repoRoot } from "./Paths.ts"
import { ensurePostgresTable, postgresAvailable } from "./PostgresTable.ts"
import { describeRun, formatScenario, runScenario, type ScenarioRun } from "./ScenarioRun.ts"
import { scenarioContender, scenarios } from "./Scenarios.ts"
import { formatTable, summarize } from "./Summary.ts"
import { checkTargets } from "./Targets.ts"

const { values } = parseArgs({
  // `pnpm bench -- --quick` may pass the "--" along.
  args: process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--")),
  options: {
    scenario: { type: "string" },
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
  --scenario a,b   scenarios: ${scenarios.map((scenario) => scenario.key).join(", ")} (default: all)
  --quick          every scenario at reduced size, one run each, no memory run (about 5 minutes)
  --only a,b       only these contenders (e.g. default,seed; on loopback also bulk, low-memory, postgres, ...)
  --rows N         rows of every scenario (default: each scenario's own, see bench/README.md)
  --repeat N       interleaved runs of each contender; the table shows the median (default: each scenario's own)
  --memory-rows N  rows of the memory run, tablecast default (default 5,000,000; --quick or 0: none)
  --seed N         seed of the generated data (default 20260501)
  --node-flags=…   V8/Node flags for every measured process, e.g. --node-flags="--max-semi-space-size=8"
  --json FILE      also write the results there (they always go to bench/.results/<time>.json)`)
  process.exit(0)
}

const quick = values.quick
const seed = count(values.seed, 20260501)
const memoryRows = count(values["memory-rows"], quick ? 0 : 5_000_000)
const only = values.only?.split(",").map((key) => key.trim())
const nodeFlags = values["node-flags"]?.split(" ").filter((flag) => flag !== "") ?? []
const picked = values.scenario?.split(",").map((key) => key.trim())
const unknown = picked?.filter((key) => !scenarios.some((scenario) => scenario.key === key)) ?? []
if (unknown.length > 0)
  throw new Error(`unknown scenarios: ${unknown.join(", ")} (known: ${scenarios.map((scenario) => scenario.key).join(", ")})`)
const selected = scenarios.filter((scenario) => picked === undefined || picked.includes(scenario.key))

const say = (line: string) => process.stderr.write(`${line}\n`)
const integer = (value: number) => Math.round(value).toLocaleString("en-US")
const cpu = os.cpus()[0]?.model ?? "unknown CPU"
const machine = `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`
say(`machine: ${machine}`)
const cli = readCliFlags()
say(
  `tablecast sync flags of issue #16 present: ${["--max-rps", "--min-in-flight", "--batch-profile"].map((flag) => `${flag} ${cli.has(flag) ? "yes" : "no"}`).join(", ")}`
)
const started = performance.now()

let table: string | undefined
if (only?.includes("postgres") === true) {
  if (await postgresAvailable()) {
    const loopback = scenarios.find((scenario) => scenario.key === "loopback")!
    const rows = count(values.rows, quick ? loopback.quickRows : loopback.rows)
    say("postgres: loading the same rows into a table (once)…")
    table = await ensurePostgresTable(await ensureDataset(dataDir, rows, seed))
  } else say('postgres: no server (run `eval "$(bash scripts/postgres/start.sh)"` first); the contender is skipped')
}

const runs: Array<ScenarioRun> = []
for (const scenario of selected) {
  const rows = count(values.rows, quick ? scenario.quickRows : scenario.rows)
  const repeat = Math.max(1, count(values.repeat, quick ? scenario.quickRepeat : scenario.repeat))
  say(`scenario ${scenario.key}: ${integer(rows)} rows × ${repeat}`)
  runs.push(
    await runScenario(scenario, {
      rows,
      repeat,
      timeoutSeconds: quick ? scenario.quickTimeoutSeconds : scenario.timeoutSeconds,
      ...(quick || scenario.judgedTimeoutSeconds === undefined ? {} : { judgedTimeoutSeconds: scenario.judgedTimeoutSeconds }),
      cli,
      seed,
      dataDir,
      cwd: repoRoot,
      nodeFlags,
      say,
      ...(only === undefined ? {} : { only }),
      ...(table === undefined ? {} : { table })
    })
  )
}

// The memory run: tablecast default (and --low-memory when asked for) on a larger file, rate limit off.
const memoryRuns: Array<Measurement> = []
if (memoryRows > 0 && selected.some((scenario) => scenario.key === "loopback")) {
  const loopback = scenarios.find((scenario) => scenario.key === "loopback")!
  const big = await ensureDataset(dataDir, memoryRows, seed)
  say(`memory: ${big.path} (${integer(big.rows)} rows, ${(big.bytes / 2 ** 20).toFixed(0)} MiB)`)
  const keys = [...memoryContenders].filter((key) => (only === undefined ? key === "default" : only.includes(key)))
  for (const key of keys) {
    const { contender } = scenarioContender(key, loopback, cli)
    const run = await measure(contender, { csvPath: big.path }, memoryRows, repoRoot, { nodeFlags })
    memoryRuns.push(run)
    say(`memory ${contender.label}: ${describeRun(run)}`)
  }
}

const minutes = (performance.now() - started) / 60_000
const out: Array<string> = [
  `tablecast benchmark${quick ? " (--quick: reduced sizes)" : ""}, ${machine}${nodeFlags.length === 0 ? "" : `, ${nodeFlags.join(" ")}`}, ${minutes.toFixed(1)} minutes`
]
for (const run of runs) out.push("", formatScenario(run))
if (memoryRuns.length > 0) {
  out.push("", `## Memory, ${integer(memoryRows)} rows (one run each)`, "")
  out.push(formatTable(memoryRuns.map((run) => summarize([run]))))
}
const targets = checkTargets(runs, memoryRuns)
out.push("", ...targets)
if (quick) {
  out.push(
    "",
    "(--quick: at these sizes a process's start-up, about 0.5 s, weighs on every rate, so the loopback ratios are not comparable with run J's 1,000,000 rows.)"
  )
}
console.log(out.join("\n"))

const results = {
  startedAt: new Date(Date.now() - minutes * 60_000).toISOString(),
  minutes,
  machine,
  quick,
  seed,
  nodeFlags,
  cliFlags: { maxRps: cli.has("--max-rps"), minInFlight: cli.has("--min-in-flight"), batchProfile: cli.has("--batch-profile") },
  scenarios: runs,
  memoryRows,
  memoryRuns,
  targets
}
const resultsDir = path.join(benchRoot, ".results")
await mkdir(resultsDir, { recursive: true })
const resultsFile = path.join(resultsDir, `${results.startedAt.replaceAll(":", "-").replace(/\.\d+Z$/, "Z")}.json`)
const json = `${JSON.stringify(results, null, 2)}\n`
await writeFile(resultsFile, json)
if (values.json !== undefined) await writeFile(values.json, json)
say(`results: ${resultsFile}`)

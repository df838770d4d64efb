// `pnpm bench:incremental`: what an incremental sync costs (issue #6). The built CLI, each run in a
// process of its own against a fresh counting receiver, over the benchmark's seeded model output:
// a first run into an empty snapshot, a no-change run, a 1%-change run (plus 0.1% of rows jittered
// within tolerance), a --full rerun and a plain sync. With --postgres, the same on the Postgres
// source, and the in-database diff prototype. See docs/incremental-benchmark.md.
//
//   node bench/dist/incremental/run.js [--rows 1000000] [--repeat 3] [--memory-rows 5000000]
//                                      [--postgres] [--no-csv] [--quick] [--json results.json]
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import os from "node:os"
import path from "node:path"
import { parseArgs } from "node:util"
import { ensureDataset } from "../Dataset.ts"
import { dataDir, repoRoot } from "../Paths.ts"
import { ensurePostgresTable, postgresAvailable } from "../PostgresTable.ts"
import { median } from "../Summary.ts"
import { ensureChangedDataset } from "./ChangedDataset.ts"
import { runStep, scenario, type StepResult, type StepSpec } from "./IncrementalRun.ts"
import { formatSteps, markdownTable, medianStep } from "./IncrementalTable.ts"
import { copyOutSeconds, diffQueries, ensureTableFromCsv, psql, psqlSeconds, sourceRead, timeQuery, type TimedQuery } from "./PostgresDiff.ts"
import { count } from "../Args.ts"

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg, index) => !(index === 0 && arg === "--")),
  options: {
    rows: { type: "string" },
    repeat: { type: "string" },
    "memory-rows": { type: "string" },
    seed: { type: "string", default: "20260501" },
    postgres: { type: "boolean", default: false },
    "diff-in-database": { type: "boolean", default: false },
    "no-csv": { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    json: { type: "string" },
    help: { type: "boolean", default: false }
  }
})
if (values.help) {
  console.log(`usage: pnpm bench:incremental [options]
  --rows N         rows of the dataset (default 1,000,000; --quick: 100,000)
  --repeat N       runs of the no-change, 1%-change and plain syncs; the table shows medians (default 3; --quick: 1)
  --memory-rows N  also a first and a no-change run over N rows, for memory (default 5,000,000; --quick or 0: none)
  --postgres       also the Postgres source and the in-database diff prototype (needs the PG* variables)
  --diff-in-database  the product's diff in the database (Postgres source, --state-postgres in the same
                   database) against --no-diff-in-database, no-change and 1%-change runs (needs the PG* variables)
  --no-csv         skip the CSV scenario over --rows (the memory run and --postgres still run)
  --seed N         seed of the generated data (default 20260501)
  --json FILE      also write every measurement as JSON`)
  process.exit(0)
}

const rows = count(values.rows, values.quick ? 100_000 : 1_000_000)
const repeat = Math.max(1, count(values.repeat, values.quick ? 1 : 3))
const memoryRows = count(values["memory-rows"], values.quick ? 0 : 5_000_000)
const seed = count(values.seed, 20260501)

const say = (line: string) => process.stderr.write(`${line}\n`)
const integer = (value: number) => Math.round(value).toLocaleString("en-US")
const cpu = os.cpus()[0]?.model ?? "unknown CPU"
say(`machine: ${os.cpus().length} × ${cpu}, load ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}`)

const dataset = await ensureDataset(dataDir, rows, seed)
const changed = await ensureChangedDataset(dataset)
say(
  `data: ${dataset.path} (${integer(rows)} rows); next night: ${changed.path} (${integer(changed.beyond)} rows changed, ${integer(changed.within)} within tolerance)`
)

const scratch = await mkdtemp(path.join(os.tmpdir(), "tablecast-bench-incremental-state-"))
const describe = (run: StepResult) =>
  `${run.seconds.toFixed(1)} s (CPU ${run.cpuSeconds.toFixed(1)} s), ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ` +
  `${integer(run.requests)} requests, ${integer(run.messagesReceived)} messages` +
  (run.plan === undefined ? "" : `, +${integer(run.plan.added)} ~${integer(run.plan.changed)} =${integer(run.plan.unchanged)}`) +
  (run.notes.length === 0 ? "" : ` — ${run.notes.join("; ")}`)

/** Runs the steps in order against one snapshot file; returns every run and each step's median. */
const runScenario = async (name: string, steps: ReadonlyArray<StepSpec>) => {
  const all: Array<StepResult> = []
  const stateDb = path.join(scratch, `${name}.db`)
  for (const [index, step] of steps.entries()) {
    const run = await runStep(step, stateDb, repoRoot)
    all.push(run)
    say(`${name} ${index + 1}/${steps.length} ${step.label}: ${describe(run)}`)
  }
  const keys = [...new Set(steps.map((step) => step.key))]
  return { all, medians: keys.map((key) => medianStep(all.filter((run) => run.key === key))) }
}

const out: Array<string> = []
const results: Record<string, unknown> = { rows, repeat, seed, changed }
try {
  if (!values["no-csv"]) {
    const csv = await runScenario("csv", scenario({ file: dataset.path }, { file: changed.path }, { rounds: repeat }))
    results["csv"] = csv.all
    out.push(
      `${integer(rows)} rows from CSV, ${integer(changed.beyond)} changed beyond tolerance and ${integer(changed.within)} within it in the 1% run; ` +
        `first and --full runs once, the others median of ${repeat} (${os.cpus().length} × ${cpu}, Node ${process.version}); bulk settings`,
      "",
      formatSteps(csv.medians)
    )
    const notes = csv.medians.flatMap((step) => step.notes.map((note) => `- ${step.label}: ${note}`))
    if (notes.length > 0) out.push("", ...notes)
  }

  if (memoryRows > 0) {
    const big = await ensureDataset(dataDir, memoryRows, seed)
    say(`memory: ${big.path} (${integer(memoryRows)} rows)`)
    const memory = await runScenario("memory", scenario({ file: big.path }, { file: big.path }).slice(0, 2))
    results["memory"] = memory.all
    out.push("", `Memory, ${integer(memoryRows)} rows (one run each):`, "", formatSteps(memory.medians))
  }

  if (values.postgres) {
    if (!(await postgresAvailable())) throw new Error('--postgres: no server answers (run `eval "$(bash scripts/postgres/start.sh)"` first)')
    say("postgres: loading the rows and the next night's rows into tables (once)…")
    const table = await ensurePostgresTable(dataset)
    const changedTable = `${table}_changed`
    await ensureTableFromCsv(table, changedTable, changed.path, rows)

    // (i) The client-side diff, as the product does it, on the Postgres source.
    const steps = scenario({ table }, { table: changedTable }, { rounds: repeat, full: false })
    const pg = await runScenario("postgres", steps)
    results["postgres"] = pg.all

    // What reading the table costs on its own.
    const copies: Array<number> = []
    const reads: Array<{ rows: number; seconds: number; processSeconds: number }> = []
    for (let round = 0; round < repeat; round++) {
      copies.push(await copyOutSeconds(`SELECT * FROM ${table}`))
      reads.push(await sourceRead("table", table))
    }
    const bareRead = {
      copySeconds: median(copies),
      sourceSeconds: median(reads.map((read) => read.seconds)),
      sourceProcessSeconds: median(reads.map((read) => read.processSeconds))
    }
    results["postgresBareRead"] = bareRead
    say(
      `postgres bare read: COPY ${bareRead.copySeconds.toFixed(2)} s, source package ${bareRead.sourceSeconds.toFixed(2)} s (process ${bareRead.sourceProcessSeconds.toFixed(2)} s)`
    )

    // (ii) The in-database diff prototype.
    const diff = diffQueries(table)
    const buildSeconds = await psqlSeconds(...diff.buildSnapshots)
    say(`postgres: snapshot tables built in ${buildSeconds.toFixed(1)} s`)
    const timed: Array<TimedQuery> = []
    const queries: ReadonlyArray<readonly [string, string]> = [
      ["whole-row md5, no change", diff.naive(table)],
      ["whole-row md5, 1% change", diff.naive(changedTable)],
      ["counted-column md5 + tolerance, no change", diff.tolerant(table)],
      ["counted-column md5 + tolerance, 1% change", diff.tolerant(changedTable)],
      ["removed keys (anti-join), no change", diff.removed(table)]
    ]
    for (const [label, query] of queries) {
      const result = await timeQuery(label, query, repeat)
      timed.push(result)
      say(
        `postgres diff ${label}: ${integer(result.rows)} rows, COPY ${result.copySeconds.toFixed(2)} s, server ${result.serverSeconds.toFixed(2)} s`
      )
    }
    const advanceSeconds = await psqlSeconds("BEGIN", diff.advance(changedTable), "ROLLBACK")
    const prototypeRead = await sourceRead("query", diff.tolerant(changedTable))
    // End to end: a plain sync of what the in-database diff returns (the snapshot's advance not included).
    const prototype = await runScenario(
      "postgres-prototype",
      [
        { key: "proto-none", label: "sync of the in-DB diff, no change", source: { query: diff.tolerant(table) }, incremental: false },
        { key: "proto-one", label: "sync of the in-DB diff, 1% change", source: { query: diff.tolerant(changedTable) }, incremental: false }
      ].flatMap((step) => Array.from({ length: repeat }, () => step))
    )
    results["postgresDiff"] = { buildSeconds, timed, advanceSeconds, prototypeRead, prototype: prototype.all }
    const tableSize = await psql(
      `SELECT pg_size_pretty(pg_total_relation_size('${table}')) || ' / ' || pg_size_pretty(pg_total_relation_size('${diff.naiveSnapshot}')) || ' / ' || pg_size_pretty(pg_total_relation_size('${diff.tolerantSnapshot}'))`
    )

    out.push(
      "",
      `Postgres source, ${integer(rows)} rows (${process.env["PGHOST"]}:${process.env["PGPORT"] ?? 5432}, table ${table}); first run once, the others median of ${repeat}:`,
      "",
      formatSteps(pg.medians),
      "",
      markdownTable(
        ["reading the whole table, nothing else", "seconds"],
        [
          ["psql `COPY (SELECT * FROM t) TO STDOUT` (to /dev/null)", bareRead.copySeconds.toFixed(2)],
          ["tablecast's Postgres source: every row read and converted", bareRead.sourceSeconds.toFixed(2)],
          ["the same, whole process (start-up included)", bareRead.sourceProcessSeconds.toFixed(2)]
        ]
      ),
      "",
      `In-database diff prototype (table / md5 snapshot / tolerant snapshot: ${tableSize}); snapshot tables built in ${buildSeconds.toFixed(1)} s:`,
      "",
      markdownTable(
        ["query", "rows out", "COPY out s", "server s"],
        timed.map((query) => [query.label, integer(query.rows), query.copySeconds.toFixed(2), query.serverSeconds.toFixed(2)])
      ),
      "",
      `Advancing the md5 snapshot for the 1% run's rows (upsert, rolled back): ${advanceSeconds.toFixed(2)} s. ` +
        `Reading the 1% diff through the source package: ${prototypeRead.seconds.toFixed(2)} s for ${integer(prototypeRead.rows)} rows.`,
      "",
      formatSteps(prototype.medians)
    )
  }

  if (values["diff-in-database"]) {
    if (!(await postgresAvailable()))
      throw new Error('--diff-in-database: no server answers (run `eval "$(bash scripts/postgres/start.sh)"` first)')
    const table = await ensurePostgresTable(dataset)
    const changedTable = `${table}_changed`
    await ensureTableFromCsv(table, changedTable, changed.path, rows)
    // One snapshot in Postgres (a sync name of its own, so every bench starts empty); the filtered
    // runs first, since a run with --no-diff-in-database writes no digests for the rows it commits.
    const state = { name: `bench-diff-in-db-${process.pid}-${Date.now()}` }
    const base = { table }
    const next = { table: changedTable }
    const steps: Array<StepSpec> = [
      { key: "first", label: "first run (empty snapshot: all added, digests recorded)", source: base, incremental: true, statePostgres: state }
    ]
    const rounds = (label: string, key: string, extraArgs: ReadonlyArray<string>) => {
      let current: typeof base = base
      for (let round = 1; round <= repeat; round++) {
        const other = current === base ? next : base
        steps.push(
          { key: `${key}-none`, label: `no-change run, ${label}`, source: current, incremental: true, statePostgres: state, extraArgs },
          { key: `${key}-one`, label: `1%-change run, ${label}`, source: other, incremental: true, statePostgres: state, extraArgs }
        )
        current = other
      }
      // Back to the base rows, so the next rounds start from the same snapshot.
      if (current !== base)
        steps.push({
          key: `${key}-back`,
          label: `back to the base rows, ${label}`,
          source: base,
          incremental: true,
          statePostgres: state,
          extraArgs
        })
    }
    rounds("diff in the database", "db", [])
    rounds("client-side diff (--no-diff-in-database)", "client", ["--no-diff-in-database"])
    const db = await runScenario("diff-in-database", steps)
    results["diffInDatabase"] = db.all
    out.push(
      "",
      `Diff in the database: Postgres source and --state-postgres in the same database, ${integer(rows)} rows (table ${table}); first run once, the others median of ${repeat}:`,
      "",
      formatSteps(db.medians)
    )
    const notes = db.medians.flatMap((step) => step.notes.map((note) => `- ${step.label}: ${note}`))
    if (notes.length > 0) out.push("", ...notes)
  }
} finally {
  await rm(scratch, { recursive: true, force: true })
}

console.log(out.join("\n"))
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`)

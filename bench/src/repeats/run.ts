// What numbering repeated contents costs (messageId scheme 2, packages/core/src/RepeatCounter.ts):
// memory and time per row on N rows (default 5,000,000) with no repeats and with 1%, each case in
// a process of its own so that its peak RSS is its own. Also writes the CSV files the CLI run uses.
//
//   node bench/dist/repeats/run.js                      # the table: counter alone, and mapping with/without counting
//   node bench/dist/repeats/run.js --rows 1000000
//   node bench/dist/repeats/run.js --write-csv out.csv --rows 5000000 --share 0.01
//   node --expose-gc bench/dist/repeats/run.js --case counter --share 0 --rows 10000000 --filter-mib 8   # one case: false positives
import { spawnSync } from "node:child_process"
import { createWriteStream } from "node:fs"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import type { SyncSpec } from "@tablecast/core"
// The light entry (no Effect, no zod), as in the CSV source's worker: the RSS measured is the mapper's.
import { compileMapper, RepeatCounter } from "@tablecast/core/mapper"
import { seededRandom } from "../Dataset.ts"

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? undefined : process.argv[at + 1]
}
const rows = Number(argument("rows") ?? 5_000_000)
const MiB = 1024 * 1024

/** The row's source index: with probability `share`, a copy of an earlier row (picked at random). */
const sourceIndexes = function* (count: number, share: number) {
  const random = seededRandom(7)
  for (let i = 0; i < count; i++) yield i > 0 && random() < share ? Math.floor(random() * i) : i
}

/** A row of the benchmark's kind (a customer id, scores, a segment) from its index alone. */
const rowOf = (index: number): Record<string, string> => {
  const random = seededRandom(index + 1)
  return {
    customer_id: `c${index}`,
    churn_score: random().toFixed(3),
    p_iphone: random().toFixed(3),
    ltv_90d: (random() * 1000).toFixed(2),
    segment: ["champions", "loyal", "at_risk", "lost"][Math.floor(random() * 4)]!,
    predicted_at: "2026-11-30T02:00:00Z"
  }
}

const writeCsv = async (file: string, share: number) => {
  const out = createWriteStream(file)
  const header = Object.keys(rowOf(0))
  out.write(`${header.join(",")}\n`)
  let copies = 0
  let row = 0
  for (const index of sourceIndexes(rows, share)) {
    if (index !== row++) copies++
    const values = rowOf(index)
    if (!out.write(`${header.map((column) => values[column]).join(",")}\n`)) await once(out, "drain")
  }
  out.end()
  await once(out, "finish")
  process.stdout.write(`wrote ${file}: ${rows} rows, ${copies} copies of an earlier row\n`)
}

interface CaseResult {
  readonly name: string
  readonly share: number
  readonly nsPerRow: number
  readonly rssBeforeMiB: number
  readonly peakRssMiB: number
  readonly heapUsedDeltaMiB: number
  readonly arrayBuffersMiB: number
  readonly repeats: number
  readonly trueRepeats: number
  readonly counterMiB: number
}

/** Rows that repeat an earlier row's content (exact, for the table; computed apart from the measured cases). */
const countTrueRepeats = (share: number): number => {
  const seen = new Uint8Array(rows)
  let repeats = 0
  for (const index of sourceIndexes(rows, share)) {
    if (seen[index] === 1) repeats++
    seen[index] = 1
  }
  return repeats
}

/** A cheap 32-bit mix of an integer (murmur3's finalizer): the stand-in for a content hash's halves. */
const mix = (x: number): number => {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

/** One case, in this process: `hash` (the loop alone), `counter` (the loop and the counter), `map` or `map+count`. */
const runCase = (name: string, share: number): CaseResult => {
  globalThis.gc?.()
  const before = process.memoryUsage()
  let repeats = 0
  let counterBytes = 0
  let started: bigint
  let row = 0
  if (name === "hash" || name === "counter") {
    // The content hashes of the rows, made as they are needed: a copy has the hash of the row it copies.
    const filterMiB = argument("filter-mib")
    const counter = name === "counter" ? new RepeatCounter(filterMiB === undefined ? {} : { filterBytes: Number(filterMiB) * MiB }) : undefined
    let sum = 0
    started = process.hrtime.bigint()
    for (const index of sourceIndexes(rows, share)) {
      const hi = mix(index)
      const lo = mix(index ^ 0x5bd1e995)
      if (counter === undefined) sum += hi & 1
      else if (counter.next(hi, lo) > 1) repeats++
    }
    if (sum < 0) throw new Error("unreachable")
    counterBytes = counter?.bytes ?? 0
  } else {
    // What SyncSpec.parse makes of { event, customerId, timestamp } (written out: no zod loaded).
    const spec: SyncSpec = {
      type: "track",
      event: "Model Scores",
      customerId: "customer_id",
      timestamp: "predicted_at",
      properties: "*",
      exclude: [],
      rename: {},
      nest: true,
      columns: {},
      empty: "omit"
    } as unknown as SyncSpec
    const map = compileMapper(spec, { name: "tablecast", version: "bench" }, { countRepeats: name === "map+count" })
    started = process.hrtime.bigint()
    for (const index of sourceIndexes(rows, share)) {
      const mapped = map({ rowNumber: ++row, values: rowOf(index) })
      if (mapped.ok && mapped.repeated) repeats++
    }
  }
  const elapsed = Number(process.hrtime.bigint() - started)
  // What stays reachable once the run's garbage is collected (the counter's arrays, its tables).
  globalThis.gc?.()
  const after = process.memoryUsage()
  return {
    name,
    share,
    nsPerRow: Math.round(elapsed / rows),
    rssBeforeMiB: before.rss / MiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedDeltaMiB: (after.heapUsed - before.heapUsed) / MiB,
    arrayBuffersMiB: after.arrayBuffers / MiB,
    repeats,
    trueRepeats: 0,
    counterMiB: counterBytes / MiB
  }
}

/** The heap flags the CLI restarts Node with (apps/cli/bin/heapFlags.js), so that peaks compare with a sync's. */
const cliHeapFlags = ["--max-semi-space-size=4", "--heap-growing-percent=50"]

const main = async () => {
  const csv = argument("write-csv")
  if (csv !== undefined) return writeCsv(csv, Number(argument("share") ?? 0))
  const only = argument("case")
  if (only !== undefined) {
    process.stdout.write(`${JSON.stringify(runCase(only, Number(argument("share") ?? 0)))}\n`)
    return
  }
  const self = fileURLToPath(import.meta.url)
  const results: Array<CaseResult> = []
  for (const share of [0, 0.01]) {
    const trueRepeats = countTrueRepeats(share)
    for (const name of ["hash", "counter", "map", "map+count"]) {
      const child = spawnSync(
        process.execPath,
        ["--expose-gc", ...cliHeapFlags, self, "--case", name, "--share", String(share), "--rows", String(rows)],
        {
          encoding: "utf8",
          maxBuffer: 16 * MiB
        }
      )
      if (child.status !== 0) throw new Error(`case ${name} failed: ${child.stderr}`)
      results.push({ ...(JSON.parse(child.stdout) as CaseResult), trueRepeats })
    }
  }
  const f = (n: number) => n.toFixed(1)
  process.stdout.write(`messageId scheme 2: numbering repeated contents, ${rows.toLocaleString("en-US")} rows, Node ${process.version}\n`)
  process.stdout.write("case        repeats  ns/row  RSS before  peak RSS  heap kept  arrayBuffers  counter  rows numbered ≥2 (true repeats)\n")
  for (const r of results) {
    process.stdout.write(
      `${r.name.padEnd(10)}  ${`${r.share * 100}%`.padStart(7)}  ${String(r.nsPerRow).padStart(6)}  ${f(r.rssBeforeMiB).padStart(10)}  ${f(r.peakRssMiB).padStart(8)}  ${f(r.heapUsedDeltaMiB).padStart(10)}  ${f(r.arrayBuffersMiB).padStart(12)}  ${r.name === "counter" ? f(r.counterMiB).padStart(7) : "      –"}  ${r.repeats} (${r.trueRepeats})\n`
    )
  }
  process.stdout.write(
    "hash / counter: a loop making 64-bit content hashes, without and with RepeatCounter.next (the difference is the counter's own cost)\n" +
      "map / map+count: compileMapper without and with counting; the difference is the counter's cost per row in a sync\n"
  )
}

await main()

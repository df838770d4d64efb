// `pnpm --filter @tablecast/bench parquet:exact [rows] [sync flags]` (default 1,000,000 rows): writes a Parquet file
// of `rows` rows with DuckDB, starts `tablecast sink --out` (the built CLI), sends the file with
// `tablecast sync -f file.parquet` (the built CLI, rate limit off, bulk batches), then checks every
// message that arrived against the values computed from the row's index (ExactRows.ts): each row
// once, its properties exactly. Prints rows/s, CPU seconds and the sync's peak RSS.
import { spawn } from "node:child_process"
import { createReadStream } from "node:fs"
import { mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { createInterface } from "node:readline"
import { runProcess } from "../Measure.ts"
import { builtEntry, cliEntry, dataDir, repoRoot } from "../Paths.ts"
import type { ProcessUsage } from "../Usage.ts"
import { exactRowsSql, expectedProperties } from "./ExactRows.ts"
import { runDuckDB } from "./ParquetDataset.ts"

const rows = Number(process.argv[2] ?? 1_000_000)
// Further arguments go to `tablecast sync` as they are (e.g. --low-memory).
const extraFlags = process.argv.slice(3)
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`

const parquet = path.join(dataDir, `exact_${rows}.parquet`)
await mkdir(dataDir, { recursive: true })
if ((await stat(parquet).catch(() => undefined)) === undefined) {
  await runDuckDB(`COPY (${exactRowsSql(rows)}) TO ${literal(parquet)} (FORMAT parquet, ROW_GROUP_SIZE 100000)`)
}
const scratch = await mkdtemp(path.join(tmpdir(), "tablecast-parquet-exact-"))
const received = path.join(scratch, "received.jsonl")

// The sink: the built CLI on a free port; its first line on stderr says where it listens.
const sink = spawn(process.execPath, [cliEntry, "sink", "--port", "0", "--out", received, "--json"], { stdio: ["ignore", "pipe", "pipe"] })
const url = await new Promise<string>((resolve, reject) => {
  let text = ""
  sink.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk
    const match = /listening on (http:\/\/[\d.:]+)/.exec(text)
    if (match !== null) resolve(match[1]!)
  })
  sink.on("exit", (code) => reject(new Error(`the sink exited (${code}): ${text}`)))
})

const usageFile = path.join(scratch, "usage.json")
const sync = await runProcess(
  [
    "--import",
    builtEntry("UsageReporter.js"),
    cliEntry,
    "sync",
    "--file",
    parquet,
    "--event",
    "Scored",
    "--customer-id",
    "customer_id",
    "--endpoint",
    url,
    "--batch-count",
    "2500",
    "--batch-bytes",
    "475000",
    "--max-rps",
    "0",
    "--progress",
    "none",
    "--json",
    "--state-dir",
    path.join(scratch, "state"),
    ...extraFlags
  ],
  { SEGMENT_WRITE_KEY: "exactness-write-key", BENCH_USAGE_FILE: usageFile },
  repoRoot
)
sink.kill("SIGINT")
await new Promise((resolve) => sink.once("exit", resolve))
const usage = JSON.parse(await readFile(usageFile, "utf8")) as ProcessUsage
if (sync.code !== 0) throw new Error(`tablecast sync exited ${sync.code}: ${sync.stderr}`)

// Every message against its row's values.
const seen = new Uint8Array(rows)
let messages = 0
let duplicates = 0
let wrong = 0
let firstWrong: string | undefined
for await (const line of createInterface({ input: createReadStream(received, "utf8"), crlfDelay: Infinity })) {
  if (line === "") continue
  const message = JSON.parse(line) as { userId: string; event: string; properties: unknown }
  messages++
  const i = Number(message.userId.slice(1))
  if (seen[i] === 1) duplicates++
  seen[i] = 1
  const expected = JSON.stringify(expectedProperties(i))
  const actual = JSON.stringify(message.properties)
  if (message.event !== "Scored" || actual !== expected) {
    wrong++
    firstWrong ??= `row ${i}: expected ${expected}, got ${actual}`
  }
}
const missing = seen.reduce((count, flag) => count + (flag === 0 ? 1 : 0), 0)
await rm(scratch, { recursive: true, force: true })

const fileMiB = (await stat(parquet)).size / 2 ** 20
console.log(
  JSON.stringify(
    {
      rows,
      parquetMiB: Number(fileMiB.toFixed(1)),
      seconds: Number(sync.seconds.toFixed(2)),
      rowsPerSecond: Math.round(rows / sync.seconds),
      cpuSeconds: Number(usage.cpuSeconds.toFixed(2)),
      peakRssMiB: Number((usage.peakRssBytes / 2 ** 20).toFixed(1)),
      messages,
      missing,
      duplicates,
      wrong,
      ...(firstWrong === undefined ? {} : { firstWrong })
    },
    null,
    2
  )
)
if (missing + duplicates + wrong > 0) process.exitCode = 1

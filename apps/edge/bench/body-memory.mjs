// Peak memory of the edge for request bodies at the byte limit (MAX_BODY_BYTES, 20,000,000).
//
//   pnpm --filter @tablecast/edge... build && node apps/edge/bench/body-memory.mjs [dist-dir]
//
// 1. The Node entry (dist/main.js, which starts itself again with its heap flags) in a child process
//    under /usr/bin/time -v: its peak RSS (VmHWM, the kernel's high-water mark of its resident set,
//    read from /proc before it stops; GNU time reports the same figure) while it
//    reads each body and runs it synchronously (SYNC_MAX_ROWS / SYNC_MAX_CELLS raised to the
//    request limits, so the whole body is mapped and sent) to a local receiver on 127.0.0.1 that
//    answers 200. Budget: 256 MiB.
// 2. The Worker's path, in Node's V8: workerd sets no memory limit locally and tells no heap
//    figure, so the Worker's code path (createApp with a queue platform: read the body, split it
//    into queue chunks, serialize every sendBatch group as Queues would) runs in a child Node
//    process whose heap is capped at 128 MB (--max-old-space-size=110 plus a young generation of
//    at most 3 x 4 MiB: 122 MiB; over it, V8 would end the process), its V8 heap sampled every 2 ms and after every
//    body piece (and live, after a full GC, every 16th piece). Node's V8 has no pointer compression and workerd's has, so the same objects take
//    more room here: the figure is an upper bound of the isolate's. Budget: 128 MB.
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const dist = resolve(process.argv[2] ?? join(here, "..", "dist"))
const limitBytes = 20_000_000
const token = "bench-token-0123456789abcdef"

/** Bodies just under the byte limit, each shaped to hold as many values as the limits let in. */
const bodies = () => {
  const spec = { name: "bench", event: "Score", customerId: "id" }
  const fill = (head, row, tail, max) => {
    const parts = [head]
    let bytes = head.length + tail.length
    for (let index = 0; ; index++) {
      const text = row(index)
      if (bytes + text.length > max) break
      parts.push(text)
      bytes += text.length
    }
    parts.push(tail)
    return parts.join("")
  }
  const pad = (n, width) => String(n).padStart(width, "0")
  const max = limitBytes - 100
  return [
    {
      // 250,000 rows (MAX_ROWS) x 4 columns = 1,000,000 cells (MAX_CELLS), values of ~19 bytes.
      name: "csv: 250,000 rows x 4 columns (1,000,000 cells)",
      type: "text/csv",
      query: `?spec=${encodeURIComponent(JSON.stringify(spec))}`,
      text: fill(
        "id,a,b,c\n",
        (i) => (i < 250_000 ? `c${pad(i, 7)},${pad(i, 22)},${pad(i * 3, 22)},${pad(i * 7, 22)}\n` : "x".repeat(limitBytes)),
        "",
        max
      )
    },
    {
      // 250,000 rows (MAX_ROWS) of 4 keys = 1,000,000 cells.
      name: "json: 250,000 rows x 4 keys (1,000,000 cells)",
      type: "application/json",
      query: "",
      text: fill(
        `{"spec":${JSON.stringify(spec)},"rows":[`,
        (i) =>
          i < 250_000
            ? `${i ? "," : ""}{"id":"c${pad(i, 7)}","a":"${pad(i, 14)}","b":${i % 1000},"c":"${pad(i * 7, 19)}"}`
            : "x".repeat(limitBytes),
        "]}",
        max
      )
    },
    {
      // Rows holding an array of 7 strings: 9 values a row, 111,111 rows = 999,999 cells.
      name: "json: nested arrays (999,999 cells)",
      type: "application/json",
      query: "",
      text: fill(
        `{"spec":${JSON.stringify(spec)},"rows":[`,
        (i) =>
          i < 111_111
            ? `${i ? "," : ""}{"id":"c${pad(i, 7)}","v":[${Array.from({ length: 7 }, (_, k) => `"${pad(i + k, 20)}"`).join(",")}]}`
            : "x".repeat(limitBytes),
        "]}",
        max
      )
    }
  ]
}

const receiver = () =>
  new Promise((done) => {
    const server = createServer((request, response) => {
      request.resume()
      request.on("end", () => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end('{"success":true}')
      })
    })
    server.listen(0, "127.0.0.1", () => done(server))
  })

/** The Node entry's set-ups: as deployed by default, and with the synchronous budget raised to the request limits. */
const nodeSetups = [
  { label: "defaults (SYNC_MAX_ROWS 10,000)", vars: {} },
  { label: "SYNC_MAX_ROWS=250000 SYNC_MAX_CELLS=1000000", vars: { SYNC_MAX_ROWS: "250000", SYNC_MAX_CELLS: "1000000" } },
  ...(process.env.BENCH_NODE_FLAGS
    ? [
        {
          label: `raised, node ${process.env.BENCH_NODE_FLAGS}`,
          vars: { SYNC_MAX_ROWS: "250000", SYNC_MAX_CELLS: "1000000" },
          flags: process.env.BENCH_NODE_FLAGS.split(" ")
        }
      ]
    : [])
]

const nodeEntry = async (body, file, sinkUrl, setup) => {
  const child = spawn("/usr/bin/time", ["-v", process.execPath, ...(setup.flags ?? []), join(dist, "main.js")], {
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      TABLECAST_TOKEN: token,
      SEGMENT_WRITE_KEY: "bench-write-key",
      SEGMENT_ENDPOINT: sinkUrl,
      SEGMENT_GZIP: "false",
      LOG_LEVEL: "error",
      ...setup.vars
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: SIGINT reaches the entry, which GNU time ignores while it waits.
    detached: true
  })
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const url = await new Promise((done, fail) => {
    let out = ""
    child.stdout.on("data", (chunk) => {
      out += chunk
      const match = /"url":"([^"]+)"/.exec(out)
      if (match) done(match[1])
    })
    child.once("exit", () => fail(new Error(`the Node entry exited: ${stderr}`)))
  })
  const started = Date.now()
  const response = await fetch(`${url}/v1/runs${body.query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": body.type },
    body: readFileSync(file)
  })
  const answer = await response.json()
  const seconds = (Date.now() - started) / 1000
  // The entry's own high-water mark (VmHWM), read before it stops; GNU time's figure when it is gone.
  const entryPid = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ")[0]
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${entryPid}/status`, "utf8"))?.[1] ?? Number.NaN)
  process.kill(-child.pid, "SIGINT")
  await new Promise((done) => child.once("exit", done))
  const kb = Number.isFinite(hwm) ? hwm : Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? Number.NaN)
  return {
    status: response.status,
    outcome: answer.outcome ?? answer.error,
    rows: answer.rows?.read,
    accepted: answer.messages?.accepted,
    peakMiB: kb / 1024,
    seconds
  }
}

// Run in a child under --max-old-space-size=128: the Worker's code path with its V8 heap sampled.
const workerChild = `
import { getHeapStatistics } from "node:v8"
import { readFileSync } from "node:fs"
const [dist, file, type, query, token] = process.argv.slice(2)
const { createApp } = await import(dist + "/App.js")
const { splitIntoChunks } = await import(dist + "/RunChunks.js")
// Raw: the heap as it stands, garbage included (every 2 ms and at every piece). Live: after a full
// GC, every 16th piece and at each step of queueing: what the request really holds.
let peak = 0
let live = 0
let pieces = 0
const sample = () => { const used = getHeapStatistics().used_heap_size; if (used > peak) peak = used }
const sampleLive = () => { sample(); globalThis.gc(); const used = getHeapStatistics().used_heap_size; if (used > live) live = used }
const timer = setInterval(sample, 2)
let queued = 0
const platform = {
  runtime: "workers",
  transport: () => { throw new Error("not used: every body here goes through the queue") },
  endpoint: () => "http://127.0.0.1:9/v1/batch",
  queuedRuns: (_env, config) => ({
    start: async ({ runId, request }) => {
      const chunks = splitIntoChunks({ runId, rows: request.rows, spec: request.spec, options: request.options, writeKey: undefined, maxRows: config.limits.CHUNK_MAX_ROWS, maxBytes: config.limits.CHUNK_MAX_BYTES })
      sampleLive()
      // sendBatch serializes at most 100 messages (256 KB) at a time.
      for (let at = 0; at < chunks.length; at += 2) { queued += JSON.stringify(chunks.slice(at, at + 2).map((c) => c.message)).length; if (at % 64 === 0) sampleLive(); else sample() }
      return { runId, rows: request.rows.items.length, chunks: chunks.length }
    },
    status: async () => undefined
  })
}
// The dry-run check before queueing builds a transport: give it one that is never called.
const { FetchSegmentTransport } = await import("@tablecast/segment/fetch")
platform.transport = ({ writeKey, config }) => FetchSegmentTransport.layer({ writeKey, endpoint: "http://127.0.0.1:9", timeoutMillis: 1000 })
const app = createApp(platform)
const bytes = readFileSync(file)
const body = new ReadableStream({
  start() { this.offset = 0 },
  pull(controller) {
    if (++pieces % 16 === 0) sampleLive(); else sample()
    if (this.offset >= bytes.length) return controller.close()
    controller.enqueue(new Uint8Array(bytes.subarray(this.offset, this.offset + 65536)))
    this.offset += 65536
  }
})
globalThis.gc()
const baseline = getHeapStatistics().used_heap_size
const started = Date.now()
const response = await app.request("/v1/runs" + query, { method: "POST", headers: { authorization: "Bearer " + token, "content-type": type }, body, duplex: "half" }, {
  TABLECAST_TOKEN: token, SEGMENT_WRITE_KEY: "bench-write-key", LOG_LEVEL: "error"
})
const answer = await response.json()
sample()
clearInterval(timer)
console.log(JSON.stringify({ status: response.status, state: answer.state ?? answer.error, rows: answer.rows, chunks: answer.chunks, queuedBytes: queued, baselineMiB: baseline / 2 ** 20, peakHeapMiB: peak / 2 ** 20, liveHeapMiB: live / 2 ** 20, seconds: (Date.now() - started) / 1000 }))
`

const workerPath = async (body, file, scriptFile) => {
  const child = spawn(
    process.execPath,
    ["--max-old-space-size=110", "--max-semi-space-size=4", "--expose-gc", scriptFile, dist, file, body.type, body.query, token],
    {
      cwd: join(here, ".."),
      stdio: ["ignore", "pipe", "pipe"]
    }
  )
  let out = ""
  let err = ""
  child.stdout.on("data", (chunk) => (out += chunk))
  child.stderr.on("data", (chunk) => (err += chunk))
  const code = await new Promise((done) => child.once("exit", done))
  if (code !== 0)
    return {
      failed: `exit ${code}: ${err
        .split("\n")
        .filter((line) => /heap|memory|Error/i.test(line))
        .slice(0, 3)
        .join(" | ")}`
    }
  return JSON.parse(out.trim().split("\n").at(-1))
}

const work = mkdtempSync(join(tmpdir(), "edge-body-memory-"))
const sink = await receiver()
const sinkUrl = `http://127.0.0.1:${sink.address().port}`
const scriptFile = join(here, "..", ".body-memory-worker.mjs")
writeFileSync(scriptFile, workerChild)
try {
  console.log(`edge body memory, bodies just under ${limitBytes.toLocaleString("en-US")} bytes (node ${process.version})`)
  for (const body of bodies()) {
    const file = join(work, "body")
    writeFileSync(file, body.text)
    console.log(`\n${body.name}: ${body.text.length.toLocaleString("en-US")} bytes`)
    for (const setup of nodeSetups) {
      const node = await nodeEntry(body, file, sinkUrl, setup)
      console.log(
        `  Node entry, ${setup.label}: HTTP ${node.status} ${node.outcome}, ${node.rows ?? "-"} rows read, ${node.accepted ?? "-"} accepted, peak RSS ${node.peakMiB.toFixed(1)} MiB (budget 256), ${node.seconds.toFixed(1)} s`
      )
    }
    const worker = await workerPath(body, file, scriptFile)
    if (worker.failed) console.log(`  Worker path (Node V8, heap capped at 122 MiB = 128 MB): FAILED ${worker.failed}`)
    else
      console.log(
        `  Worker path (Node V8, heap capped at 122 MiB = 128 MB): HTTP ${worker.status} ${worker.state}, ${worker.rows} rows in ${worker.chunks} chunks, V8 heap peak ${worker.liveHeapMiB.toFixed(1)} MiB live (after GC), ${worker.peakHeapMiB.toFixed(1)} MiB with garbage (baseline ${worker.baselineMiB.toFixed(1)}; budget 128 MB = 122 MiB), ${worker.seconds.toFixed(1)} s`
      )
  }
} finally {
  sink.close()
  rmSync(work, { recursive: true, force: true })
  rmSync(scriptFile, { force: true })
}


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

// How many messages per second the sink takes, and what it costs in CPU and memory.
// Run: `node bench/throughput.ts [--messages 500000] [--batch 100] [--connections 8] [--gzip] [--out FILE]`
// The sink runs in this process; a child process posts pre-built batches over keep-alive
// connections on loopback, so the two share the machine's cores as they would in a real run.
import { fork } from "node:child_process"
import { request, Agent } from "node:http"
import { parseArgs } from "node:util"
import { gzipSync } from "node:zlib"
import { formatSinkStats, startSink } from "../src/index.ts"

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "500000" },
    batch: { type: "string", default: "100" },
    connections: { type: "string", default: "8" },
    gzip: { type: "boolean", default: false },
    out: { type: "string" },
    load: { type: "string" }
  }
})
const total = Number(values.messages)
const batchSize = Number(values.batch)
const connections = Number(values.connections)

const message = (n: number) =>
  JSON.stringify({
    type: "track",
    userId: `customer-${n}`,
    event: "Sales Prediction",
    messageId: `tablecast-sales-prediction-${n.toString(16).padStart(12, "0")}-9f2c1a7e`,
    timestamp: "2025-06-01T12:00:00.000Z",
    properties: { iphone: 0.734, apple_watch: 0.812, ipad: 0.153, segment: "champions" },
    context: { library: { name: "tablecast", version: "0.1.0" } }
  })

/** The load generator (child process): posts `total` messages in batches, `connections` at a time. */
const load = async (url: string) => {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const auth = `Basic ${Buffer.from("wk_bench:").toString("base64")}`
  let next = 0
  const post = (body: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const headers: Record<string, string | number> = {
        "content-type": "application/json",
        authorization: auth,
        "content-length": body.length
      }
      if (values.gzip) headers["content-encoding"] = "gzip"
      const req = request(`${url}/v1/batch`, { method: "POST", agent, headers }, (res) => {
        res.resume()
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))))
      })
      req.on("error", reject)
      req.end(body)
    })
  const worker = async () => {
    while (next < total) {
      const from = next
      next = Math.min(next + batchSize, total)
      const messages: Array<string> = []
      for (let n = from; n < next; n++) messages.push(message(n))
      const text = `{"batch":[${messages.join(",")}],"sentAt":"${new Date().toISOString()}"}`
      await post(values.gzip ? gzipSync(text) : Buffer.from(text))
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
  agent.destroy()
}

if (values.load !== undefined) {
  await load(values.load)
} else {
  const sink = await startSink({ writeKeys: ["wk_bench"], ...(values.out === undefined ? {} : { out: values.out }) })
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const child = fork(new URL(import.meta.url), ["--load", sink.url, ...process.argv.slice(2)], { stdio: "inherit" })
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const stats = sink.stats()
  await sink.close()
  if (code !== 0) throw new Error(`the load generator failed (exit ${code})`)
  const sinkCpuSeconds = (cpu.user + cpu.system) / 1e6
  console.log(formatSinkStats(stats))
  console.log(
    [
      "",
      `${total.toLocaleString("en-US")} messages in batches of ${batchSize}, ${connections} connections${values.gzip ? ", gzip" : ""}${values.out === undefined ? "" : ", JSONL out"}`,
      `wall time          ${seconds.toFixed(2)} s  (${Math.round(stats.messagesAccepted / seconds).toLocaleString("en-US")} messages/s end to end)`,
      `sink CPU           ${sinkCpuSeconds.toFixed(2)} s  (${Math.round(stats.messagesAccepted / sinkCpuSeconds).toLocaleString("en-US")} messages per CPU-second)`,
      `sink heap used     ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`
    ].join("\n")
  )
}

import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")
const example = path.join(repo, "examples/sales-predictions.csv")
const WRITE_KEY = "wk_test_4f9a8c1e2b7d"

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-cli-"))
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const csvRowCount = async (file: string) => (await readFile(file, "utf8")).trim().split("\n").length - 1

const syncArgs = (endpoint: string, extra: ReadonlyArray<string> = []) => [
  "sync",
  "--file",
  example,
  "--event",
  "Sales Prediction",
  "--customer-id",
  "customer_id",
  "--timestamp",
  "predicted_at",
  "--endpoint",
  endpoint,
  "--json",
  ...extra
]

describe("tablecast sync", () => {
  it("delivers the example to a receiver: every row accepted, the receiver holds exactly those messages", async () => {
    const received = path.join(dir, "received.jsonl")
    sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
    const result = await runCli(syncArgs(sink.url), { env: { SEGMENT_WRITE_KEY: WRITE_KEY } })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    const rows = await csvRowCount(example)
    expect(report.outcome).toBe("completed")
    expect(report.rows.read).toBe(rows)
    expect(report.messages.accepted).toBe(rows)
    await sink.close()
    const messages = await readJsonl(received)
    expect(messages.length).toBe(rows)
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(rows)
    expect(messages[0]).toMatchObject({ type: "track", event: "Sales Prediction", context: { library: { name: "tablecast" } } })
    expect(typeof (messages[0]!.properties as Record<string, unknown>).iphone).toBe("number")
  })

  it("sends the same messages with the CSV parsed in a worker thread (the default), on one thread (--no-worker) or with --low-memory", async () => {
    const bodies = async (extra: ReadonlyArray<string>) => {
      const received = path.join(dir, `received${extra.join("")}.jsonl`)
      const receiver = await startSink({ out: received })
      try {
        const result = await runCli(syncArgs(receiver.url, ["--type", "both", "--batch-count", "250", ...extra]), {
          env: { SEGMENT_WRITE_KEY: WRITE_KEY }
        })
        expect(result.code).toBe(0)
      } finally {
        await receiver.close()
      }
      // sentAt differs by run; everything else must be byte for byte the same. Sorted: with four
      // batches in flight, the receiver may store two of them in either order.
      return (await readJsonl(received)).map(({ sentAt: _sentAt, receivedAt: _receivedAt, ...message }) => JSON.stringify(message)).sort()
    }
    const threaded = await bodies([])
    const oneThread = await bodies(["--no-worker"])
    const lowMemory = await bodies(["--low-memory"])
    expect(threaded).toHaveLength(2 * (await csvRowCount(example)))
    expect(threaded).toEqual(oneThread)
    expect(threaded).toEqual(lowMemory)
    const both = await runCli(syncArgs("http://127.0.0.1:9", ["--low-memory", "--worker"]), { env: { SEGMENT_WRITE_KEY: WRITE_KEY } })
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("--low-memory reads on one thread: drop --worker")
    const misplaced = await runCli(["sync", "--postgres", "env", "--table", "t", "--event", "E", "-u", "id", "--no-worker"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY }
    })
    expect(misplaced.code).toBe(2)
    expect(misplaced.stderr).toContain("--worker and --no-worker apply to a CSV file")
  })

  it("rejects a 40 KB row alone, with its reason; its batch neighbours arrive", async () => {
    const file = path.join(dir, "scores.csv")
    const rejects = path.join(dir, "rejects.jsonl")
    const rows = ["customer_id,score,notes"]
    for (let i = 1; i <= 50; i++) rows.push(`${1000 + i},0.${i},${i === 25 ? "x".repeat(40_000) : "ok"}`)
    await writeFile(file, `${rows.join("\n")}\n`)
    const received = path.join(dir, "received.jsonl")
    sink = await startSink({ out: received })
    const result = await runCli(
      ["sync", "-f", file, "-e", "Scored", "-u", "customer_id", "--endpoint", sink.url, "--rejects", rejects, "--json"],
      { env: { SEGMENT_WRITE_KEY: WRITE_KEY } }
    )
    expect(result.code).toBe(3)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.rows).toEqual({ read: 50, mapped: 49, rejected: 1, skipped: 0 })
    expect(report.messages.accepted).toBe(49)
    expect(report.batches.accepted).toBe(1)
    const [reject] = await readJsonl(rejects)
    expect(reject).toMatchObject({ row: 25, stage: "validation" })
    expect(String(reject!.reason)).toMatch(/over Segment's 32000-byte limit/)
    // The reason names the column that made it too big, largest first.
    expect(String(reject!.reason)).toMatch(/; largest columns: "notes" 40,010 bytes, "score" \d+ bytes$/)
    await sink.close()
    const userIds = (await readJsonl(received)).map((m) => m.userId)
    expect(userIds).toContain("1024")
    expect(userIds).toContain("1026")
    expect(userIds).not.toContain("1025")
  })

  it("delivers every row exactly once through 20% 500s and 10% 429s, and its counts match the receiver's", async () => {
    const received = path.join(dir, "received.jsonl")
    sink = await startSink({ out: received, serverErrorShare: 0.2, throttleShare: 0.1, retryAfterSeconds: 1, seed: 7 })
    // Faults are drawn per request: 100-message batches make the example's 30 requests.
    const result = await runCli(syncArgs(sink.url, ["--batch-profile", "small"]), { env: { SEGMENT_WRITE_KEY: WRITE_KEY } })
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    const stats = sink.stats()
    const rows = await csvRowCount(example)
    expect(stats.faults.serverErrors).toBeGreaterThan(0)
    expect(stats.faults.throttled).toBeGreaterThan(0)
    expect(report.batches.retries).toBe(stats.faults.serverErrors + stats.faults.throttled)
    expect(report.messages.accepted).toBe(rows)
    expect(stats.messagesAccepted).toBe(rows)
    expect(stats.uniqueMessageIds).toBe(rows)
    expect(stats.duplicateMessageIds).toBe(0)
    expect(report.batches.requests).toBe(stats.requests)
    await sink.close()
    expect((await readJsonl(received)).length).toBe(rows)
  })

  it("stops at the first refusal of a wrong write key, names the cause, and never prints the key", async () => {
    sink = await startSink({ writeKeys: ["the-right-key"] })
    const wrongKey = "wk_wrong_9d8c7b6a5f4e"
    const result = await runCli([...syncArgs(sink.url).filter((arg) => arg !== "--json"), "--progress", "lines"], {
      env: { SEGMENT_WRITE_KEY: wrongKey }
    })
    expect(result.code).toBe(5)
    // A 401 is not retried and no batch starts after it: at most the first batches in flight
    // (4 by default) reached the receiver, of the example's 30.
    expect(sink.stats().requests).toBeGreaterThan(0)
    expect(sink.stats().requests).toBeLessThanOrEqual(4)
    expect(result.stdout).toMatch(/refused the write key/)
    expect(result.stdout).toMatch(/HTTP 401/)
    expect(result.stdout + result.stderr).not.toContain(wrongKey)
    expect(sink.stats().messagesAccepted).toBe(0)
  })

  it("sends nothing in a dry run, and needs no write key for it", async () => {
    sink = await startSink()
    // A partial batch is also flushed 500 ms after the last flush, which a loaded machine reading
    // slowly reaches: the interval is lifted so that only count and size decide the batches.
    const result = await runCli([...syncArgs(sink.url), "--dry-run", "--batch-profile", "small", "--flush-interval", "600000"])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.dryRun).toBe(true)
    expect(report.batches.planned).toBe(Math.ceil((await csvRowCount(example)) / 100))
    // By default the batches fill toward 475,000 bytes: the example's rows need far fewer.
    const bulk = JSON.parse((await runCli([...syncArgs(sink.url), "--dry-run", "--flush-interval", "600000"])).stdout) as DeliveryReport
    expect(bulk.batches.planned).toBeGreaterThanOrEqual(1)
    expect(bulk.batches.planned).toBeLessThanOrEqual(Math.ceil(report.batches.planned / 10))
    expect(sink.stats().requests).toBe(0)
  })

  it("runs a named sync from a config file, with the write key from the variable it names", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const config = path.join(dir, "tablecast.config.json")
    await writeFile(
      config,
      JSON.stringify({
        syncs: {
          segments: {
            source: { type: "csv", path: path.relative(dir, example) },
            type: "identify",
            customerId: "customer_id",
            traits: ["segment", "top_product"],
            destination: { endpoint: sink.url, writeKeyEnv: "MY_SEGMENT_KEY" }
          }
        }
      })
    )
    const result = await runCli(["sync", "segments", "--json"], { cwd: dir, env: { MY_SEGMENT_KEY: WRITE_KEY } })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(await csvRowCount(example))
    expect(report.sync).toBe("segments")
  })

  it("refuses a write key written into a config file, without echoing it", async () => {
    const config = path.join(dir, "c.json")
    await writeFile(
      config,
      JSON.stringify({
        syncs: { s: { source: { type: "csv", path: "x.csv" }, event: "E", customerId: "id", destination: { writeKey: "leaked-key-123" } } }
      })
    )
    const result = await runCli(["sync", "s", "--config", config])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/syncs\.s\.destination\.writeKey: write keys do not belong in a config file/)
    expect(result.stderr + result.stdout).not.toContain("leaked-key-123")
  })

  it("names the flag at fault", async () => {
    const tooBig = await runCli(["sync", "-f", example, "-e", "E", "-u", "customer_id", "--batch-count", "5000"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY }
    })
    expect(tooBig.code).toBe(2)
    expect(tooBig.stderr).toMatch(/batchCount \/ --batch-count: .*2500/)
    const noEvent = await runCli(["sync", "-f", example, "-u", "customer_id"], { env: { SEGMENT_WRITE_KEY: WRITE_KEY } })
    expect(noEvent.code).toBe(2)
    expect(noEvent.stderr).toMatch(/event \/ --event: a track sync needs an event name/)
    const noKey = await runCli(["sync", "-f", example, "-e", "E", "-u", "customer_id"])
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toMatch(/no write key: set SEGMENT_WRITE_KEY/)
  })

  it("names a missing file, and a column the file does not have, before sending anything", async () => {
    sink = await startSink()
    const missing = await runCli(["sync", "-f", path.join(dir, "nope.csv"), "-e", "E", "-u", "id", "--endpoint", sink.url], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY }
    })
    expect(missing.code).toBe(6)
    expect(missing.stderr + missing.stdout).toContain("nope.csv")
    const badColumn = await runCli(syncArgs(sink.url, ["--properties", "iphone,android"]), { env: { SEGMENT_WRITE_KEY: WRITE_KEY } })
    expect(badColumn.code).toBe(6)
    const report = JSON.parse(badColumn.stdout) as DeliveryReport
    expect(report.fatal?.message).toMatch(/"android"/)
    expect(sink.stats().requests).toBe(0)
  })
})

describe("tablecast preview", () => {
  it("prints the first messages exactly as they would be sent", async () => {
    const result = await runCli(["preview", "-f", example, "-e", "Sales Prediction", "-u", "customer_id", "-n", "3"])
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split("\n")
    expect(lines).toHaveLength(3)
    const message = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(message).toMatchObject({ type: "track", event: "Sales Prediction" })
    expect(String(message.messageId)).toMatch(/^tablecast-[0-9a-f]{32}$/)
  })
})

describe("tablecast preview: rows that would be rejected", () => {
  it("lists them on stderr and exits 3, as sync --dry-run does", async () => {
    const file = path.join(dir, "scores.csv")
    await writeFile(file, "customer_id,score\n1,0.5\n,0.7\n")
    const result = await runCli(["preview", "-f", file, "-e", "Scored", "-u", "customer_id"])
    expect(result.code).toBe(3)
    expect(result.stdout.trim().split("\n")).toHaveLength(1)
    // After the column types: the one row, with its reason.
    expect(result.stderr.split("\n").filter((line) => line.includes("would be rejected"))).toEqual([
      'row 2 would be rejected: customer id column "customer_id" is empty'
    ])
  })
})

describe("tablecast --help", () => {
  it("shows examples for every command", async () => {
    for (const command of ["sync", "preview", "sink"]) {
      const result = await runCli([command, "--help"])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain("EXAMPLES")
    }
  })
})

import { existsSync } from "node:fs"
import { createServer } from "node:net"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"
import { readCheckpoint, unacknowledgedClaims } from "./support/CheckpointFile.ts"
import { jsonReport, runCli, startCli } from "./support/Cli.ts"
import { deliveryProblems, readReceived, rowRange } from "./support/Received.ts"
import { type RecordingProxy, startRecordingProxy } from "./support/RecordingProxy.ts"
import { readRejects } from "./support/RejectsFile.ts"
import { expectBalancedReport } from "./support/ReportChecks.ts"
import { writeRowsCsv } from "./support/Rows.ts"
import { env, syncArgs, WRITE_KEY } from "./support/SyncCommand.ts"
import { sleep, waitFor } from "./support/Wait.ts"
import { useWorkdir } from "./support/Workdir.ts"

// The receiver is not there: at start, for a while mid-run, or for good. A receiver that comes
// back gets every row once; one that does not leaves rows reported undelivered, never delivered.

const workdir = useWorkdir()
const sinks: Array<Sink> = []
let proxy: RecordingProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
  for (const sink of sinks.splice(0)) await sink.close()
})

const start = async (options: Parameters<typeof startSink>[0]) => {
  const sink = await startSink({ writeKeys: [WRITE_KEY], ...options })
  sinks.push(sink)
  return sink
}

/** A port nothing listens on (it was free a moment ago). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

describe("a receiver that is not there", () => {
  it("down at start (nothing listening), up a few seconds later on the same port: every row delivered once", async () => {
    const rows = 2_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const port = await freePort()
    // The rejects file is opened just before the run starts sending: from then on, every attempt
    // meets a closed port. Two seconds is several attempts (the backoff starts at 0.5 s).
    const rejects = workdir.file("rejects.jsonl")
    const cli = startCli(syncArgs(file, `http://127.0.0.1:${port}`, ["--rejects", rejects]), { cwd: workdir.path, env: env() })
    await waitFor("the run to start", () => existsSync(rejects))
    await sleep(2_000)
    const out = workdir.file("received.jsonl")
    const sink = await start({ port, out })
    const result = await cli.exited
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await sink.close()
    expect(report.batches.retries).toBeGreaterThan(0)
    expect(report.messages.accepted).toBe(rows)
    expect(sink.stats().messagesAccepted).toBe(rows)
    expect(sink.stats().duplicateMessageIds).toBe(0)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
  })

  it("down mid-run (503 to everything) and back: every row delivered once", async () => {
    const rows = 10_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    const sink = await start({ out, delayMillis: 40 })
    const cli = startCli(syncArgs(file, sink.url), { cwd: workdir.path, env: env() })
    await waitFor("the first 1,000 messages", () => sink.stats().messagesAccepted >= 1_000)
    sink.setFaults({ down: true })
    await sleep(2_000)
    sink.setFaults({ down: false })
    const result = await cli.exited
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await sink.close()
    const stats = sink.stats()
    expect(stats.faults.down).toBeGreaterThan(0)
    expect(report.batches.retries).toBe(stats.faults.down)
    expect(report.messages.accepted).toBe(rows)
    expect(stats.messagesAccepted).toBe(rows)
    expect(stats.duplicateMessageIds).toBe(0)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
  })

  it("the listener closed mid-run (connections cut) and a new one started on the same port: every row delivered", async () => {
    const rows = 10_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const before = workdir.file("received-1.jsonl")
    const after = workdir.file("received-2.jsonl")
    const first = await start({ out: before, delayMillis: 40 })
    const cli = startCli(syncArgs(file, first.url), { cwd: workdir.path, env: env() })
    await waitFor("the first 1,000 messages", () => first.stats().messagesAccepted >= 1_000)
    await first.close()
    await sleep(1_500)
    const second = await start({ out: after, port: first.port })
    const result = await cli.exited
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await second.close()
    expect(report.batches.retries).toBeGreaterThan(0)
    expect(report.messages.accepted).toBe(rows)
    const received = await readReceived(before, after)
    expect(deliveryProblems(received, rowRange(1, rows))).toEqual([])
    // Batches cut while the first listener was answering may have been stored and then sent
    // again: at most the batches in flight at that moment (4 of 100).
    expect(received.stored - rows).toBeLessThanOrEqual(4 * 100)
    expectBalancedReport(report)
  })
})

describe("retries run out", () => {
  it("--max-attempts 2 against a receiver that stays down: every row reported undelivered, none delivered, exit 4", async () => {
    const rows = 1_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    const rejects = workdir.file("rejects.jsonl")
    const sink = await start({ out, down: true })
    const result = await runCli(syncArgs(file, sink.url, ["--max-attempts", "2", "--rejects", rejects]), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    await sink.close()
    expect(report.outcome).toBe("incomplete")
    expect(report.messages.accepted).toBe(0)
    expect(report.messages.undelivered).toBe(rows)
    expect(report.batches.undelivered).toBe(rows / 100)
    expect(report.batches.requests).toBe((rows / 100) * 2)
    expect(sink.stats().messagesAccepted).toBe(0)
    const rejected = await readRejects(rejects)
    expect(rejected.length).toBe(rows)
    expect(new Set(rejected.map((reject) => reject.row))).toEqual(new Set(rowRange(1, rows)))
    for (const reject of rejected) {
      expect(reject.stage).toBe("undelivered")
      expect(reject.reason).toMatch(/not delivered after 2 attempts/)
      expect(reject.status).toBe(503)
      expect(reject.messageId).toMatch(/^tablecast-[0-9a-f]{32}$/)
    }
    // Nothing was acknowledged, so the checkpoint never moved: none was written, and the next
    // run starts from the first row.
    expect(await readCheckpoint(workdir.file(".tablecast/state"))).toBeUndefined()
    expect(report.checkpoint).toBeUndefined()
    expectBalancedReport(report)
  })

  it("--max-retry-time bounds the retrying by time: the batches are reported undelivered well before 10 attempts", async () => {
    const rows = 400
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const sink = await start({ down: true })
    const result = await runCli(syncArgs(file, sink.url, ["--max-retry-time", "1500"]), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    expect(report.messages.undelivered).toBe(rows)
    expect(report.messages.accepted).toBe(0)
    // 0.5 s · 2ⁿ backoff (with jitter down to half): 1.5 s of retrying allows at most 4 attempts per batch.
    expect(report.batches.requests).toBeLessThanOrEqual((rows / 100) * 4)
    expect(report.rejects.sample[0]?.reason).toMatch(/not delivered after \d attempts over \d s/)
  })

  it("the receiver goes down for good mid-run: what it stored is what the report accepted, the rest is undelivered, and a re-run delivers the rest", async () => {
    const rows = 5_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    const rejects = workdir.file("rejects.jsonl")
    const sink = await start({ out, delayMillis: 40 })
    proxy = await startRecordingProxy(sink.url)
    const args = syncArgs(file, proxy.url, ["--max-attempts", "2", "--rejects", rejects])
    const cli = startCli(args, { cwd: workdir.path, env: env() })
    await waitFor("the first 1,000 messages", () => sink.stats().messagesAccepted >= 1_000)
    sink.setFaults({ down: true })
    const result = await cli.exited
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    expectBalancedReport(report)

    const stored = await (async () => {
      const received = await readReceived(out)
      return new Set(received.idsByRow.keys())
    })()
    // Never counted as delivered: the report's accepted is exactly what the receiver holds, and no
    // row reported undelivered is among them.
    expect(report.messages.accepted).toBe(sink.stats().messagesAccepted)
    expect(report.messages.accepted + report.messages.undelivered).toBe(rows)
    const undelivered = (await readRejects(rejects)).filter((reject) => reject.stage === "undelivered").map((reject) => reject.row)
    expect(undelivered.length).toBe(report.messages.undelivered)
    expect(undelivered.filter((row) => stored.has(row))).toEqual([])
    expect(new Set([...undelivered, ...stored])).toEqual(new Set(rowRange(1, rows)))

    // The checkpoint claims only acknowledged rows, and stops before the first undelivered one.
    const checkpoint = (await readCheckpoint(workdir.file(".tablecast/state")))!
    expect(checkpoint.complete).toBe(false)
    expect(checkpoint.watermark).toBeLessThan(Math.min(...undelivered))
    expect(unacknowledgedClaims(checkpoint.watermark, proxy.acknowledged)).toEqual([])

    // The receiver is back: the same command resumes after the checkpoint and delivers the rest.
    sink.setFaults({ down: false })
    const rerun = await runCli(args, { cwd: workdir.path, env: env() })
    const second = jsonReport(rerun)
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(second.resumedFrom).toBe(checkpoint.watermark)
    expect(second.rows.skipped).toBe(checkpoint.watermark)
    expect(second.messages.accepted).toBe(rows - checkpoint.watermark)
    await sink.close()
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(second)
  })
})

import { existsSync } from "node:fs"
import { createServer } from "node:net"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"
import { inRanges, readCheckpoint, rowsInRanges, unacknowledgedClaims } from "./support/CheckpointFile.ts"
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

describe("the receiver down past the retry budget", () => {
  it("down from the start: the run stops as unreachable after --max-retry-time, exit 4, no reject per row; the checkpoint lists what was read, and the re-run delivers every row once", async () => {
    const rows = 1_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    const rejects = workdir.file("rejects.jsonl")
    const sink = await start({ out, down: true })
    const args = syncArgs(file, sink.url, ["--max-retry-time", "1500", "--rejects", rejects])
    const startedAt = Date.now()
    const result = await runCli(args, { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    expectBalancedReport(report)
    expect(report.outcome).toBe("aborted")
    expect(report.fatal).toMatchObject({ kind: "unreachable", status: 503 })
    expect(report.fatal!.message).toMatch(
      /did not accept a batch within the retry budget \(\d+ attempts over \d+ s, the budget is 1.5 s; last: HTTP 503/
    )
    expect(report.messages.accepted).toBe(0)
    expect(report.messages.undelivered).toBe(report.messages.built)
    expect(report.undeliveredRows).toEqual([[1, report.messages.built]])
    // The first batch past the budget stops the run: the others do not each burn their own.
    expect(Date.now() - startedAt).toBeLessThan(15_000)
    expect(report.batches.requests).toBeLessThanOrEqual(4 * 4)
    // A run-level failure: one fatal error, not a rejects file of every queued row.
    expect(await readRejects(rejects)).toEqual([])
    expect(report.rejects.total).toBe(0)
    expect(sink.stats().messagesAccepted).toBe(0)

    // Nothing was acknowledged, yet a checkpoint is written: it lists every row read as undelivered.
    const checkpoint = (await readCheckpoint(workdir.file(".tablecast/state")))!
    expect(checkpoint).toMatchObject({ version: 2, complete: false, messageIdScheme: 2 })
    expect(checkpoint.watermark).toBeGreaterThan(0)
    expect(checkpoint.undelivered).toEqual([[1, checkpoint.watermark]])
    expect(report.checkpoint).toMatchObject({ watermark: checkpoint.watermark, undelivered: checkpoint.undelivered })

    sink.setFaults({ down: false })
    const rerun = await runCli(args, { cwd: workdir.path, env: env() })
    const second = jsonReport(rerun)
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(second.resumedFrom).toBe(checkpoint.watermark)
    expect(second.rows.skipped).toBe(0)
    expect(second.messages.accepted).toBe(rows)
    await sink.close()
    expect(sink.stats().messagesAccepted).toBe(rows)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(second)
  })

  it("--max-attempts, when given, also bounds the retrying: the run stops as unreachable", async () => {
    const rows = 400
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const sink = await start({ down: true })
    const result = await runCli(syncArgs(file, sink.url, ["--max-attempts", "2"]), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    expect(report.fatal?.kind).toBe("unreachable")
    expect(report.fatal!.message).toMatch(/\(2 attempts over \d+ s, at most 2 attempts; last: HTTP 503/)
    expect(report.messages.accepted).toBe(0)
    expect(report.batches.requests).toBeLessThanOrEqual(4 * 2)
    expectBalancedReport(report)
  })

  it("down mid-run past the budget: the run stops as unreachable; the re-run sends only the undelivered rows and the rows after the checkpoint, counted at the receiver", async () => {
    const rows = 20_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    const rejects = workdir.file("rejects.jsonl")
    const sink = await start({ out, delayMillis: 40 })
    proxy = await startRecordingProxy(sink.url)
    const args = syncArgs(file, proxy.url, ["--max-retry-time", "2000", "--rejects", rejects])
    const cli = startCli(args, { cwd: workdir.path, env: env() })
    await waitFor("the first 3,000 messages", () => sink.stats().messagesAccepted >= 3_000)
    sink.setFaults({ down: true })
    const result = await cli.exited
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    expect(report.fatal?.kind).toBe("unreachable")
    expectBalancedReport(report)
    expect(report.messages.undelivered).toBeGreaterThan(0)
    expect(await readRejects(rejects)).toEqual([])

    // What the receiver stored is what the report accepted; no undelivered row is among them.
    const storedBefore = sink.stats().messagesAccepted
    expect(report.messages.accepted).toBe(storedBefore)
    const stored = new Set((await readReceived(out)).idsByRow.keys())
    const undeliveredRows = report.undeliveredRows ?? []
    expect(rowsInRanges(undeliveredRows)).toBe(report.messages.undelivered)
    expect([...stored].filter((row) => inRanges(row, undeliveredRows))).toEqual([])

    // The checkpoint passes the undelivered batches and lists them: it claims only acknowledged
    // rows, apart from those it lists.
    const checkpoint = (await readCheckpoint(workdir.file(".tablecast/state")))!
    expect(checkpoint.complete).toBe(false)
    expect(checkpoint.undelivered!.length).toBeGreaterThan(0)
    expect(checkpoint.watermark).toBeGreaterThanOrEqual(checkpoint.undelivered![0]![1])
    expect(unacknowledgedClaims(checkpoint.watermark, proxy.acknowledged, 1, checkpoint.undelivered)).toEqual([])

    // The receiver is back: the re-run sends the listed rows and the rows after the watermark, and
    // nothing else.
    sink.setFaults({ down: false })
    const listed = rowsInRanges(checkpoint.undelivered)
    const rerun = await runCli(args, { cwd: workdir.path, env: env() })
    const second = jsonReport(rerun)
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(second.resumedFrom).toBe(checkpoint.watermark)
    expect(second.rows.skipped).toBe(checkpoint.watermark - listed)
    expect(second.messages.accepted).toBe(listed + rows - checkpoint.watermark)
    const sentAgain = sink.stats().messagesAccepted - storedBefore
    expect(sentAgain).toBe(listed + rows - checkpoint.watermark)
    expect(sentAgain).toBeLessThan(rows)
    console.info(
      `outage re-run: ${rows} rows; first run accepted ${report.messages.accepted}, ${report.messages.undelivered} undelivered (rows ${JSON.stringify(undeliveredRows)}); ` +
        `checkpoint watermark ${checkpoint.watermark} listing ${listed} rows; the re-run sent ${sentAgain} (${listed} listed + ${rows - checkpoint.watermark} after the watermark)`
    )
    await sink.close()
    const final = await readReceived(out)
    expect(deliveryProblems(final, rowRange(1, rows))).toEqual([])
    // No copy of a row the checkpoint had settled.
    const copied = [...final.copiesByRow].filter(([, copies]) => copies > 1).map(([row]) => row)
    expect(copied.filter((row) => row <= checkpoint.watermark && !inRanges(row, checkpoint.undelivered))).toEqual([])
    expectBalancedReport(second)
  })
})

import { readFile } from "node:fs/promises"
import type { DeliveryReport } from "@tablecast/core"
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

// Ctrl-C and SIGTERM: the first stops reading and flushes what is queued and in flight, then
// writes the checkpoint and the report; a second one stops at once. Exit 130 either way.

const workdir = useWorkdir()
let sink: Sink | undefined
let proxy: RecordingProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await sink?.close()
  proxy = undefined
  sink = undefined
})

const stateDir = () => workdir.file(".tablecast/state")
const readReport = async (file: string) => JSON.parse(await readFile(file, "utf8")) as DeliveryReport

const setup = async (rows: number, delayMillis: number) => {
  const file = workdir.file("scores.csv")
  await writeRowsCsv(file, rows)
  const out = workdir.file("received.jsonl")
  sink = await startSink({ out, writeKeys: [WRITE_KEY], delayMillis })
  proxy = await startRecordingProxy(sink.url)
  return { file, out, sink, proxy }
}

describe("stop signals", () => {
  it("SIGINT mid-run: reading stops, what was read is flushed, the report is written, exit 130; the re-run sends the rest without re-sending anything", async () => {
    const rows = 20_000
    const { file, out, sink, proxy } = await setup(rows, 50)
    const reportFile = workdir.file("report.json")
    const args = syncArgs(file, proxy.url, ["--report", reportFile])
    const cli = startCli(args, { cwd: workdir.path, env: env() })
    await waitFor("the first 2,000 messages", () => proxy.acknowledged.size >= 2_000)
    cli.kill("SIGINT")
    const result = await cli.exited
    expect(result.code, result.stderr).toBe(130)
    expect(result.stderr).toMatch(/SIGINT: stopping — no more reading; flushing what is queued and in flight/)

    const report = await readReport(reportFile)
    // --json: the report a failed run wrote, with the error beside it (code, kind, message), as every failure prints.
    expect(jsonReport(result)).toEqual({ ...report, error: { code: 130, kind: "interrupted", message: report.fatal?.message } })
    expect(report.outcome).toBe("aborted")
    expect(report.fatal?.kind).toBe("interrupted")
    expect(report.rows.read).toBeLessThan(rows)
    // Flushed: every message built was acknowledged, none left undelivered.
    expect(report.messages.undelivered).toBe(0)
    expect(report.messages.accepted).toBe(report.rows.read)
    expect(sink.stats().messagesAccepted).toBe(report.messages.accepted)
    expectBalancedReport(report)
    // The checkpoint: every row read is settled, and the receiver acknowledged each of them.
    const checkpoint = (await readCheckpoint(stateDir()))!
    expect(checkpoint).toMatchObject({ watermark: report.rows.read, complete: false })
    expect(report.checkpoint).toMatchObject({ watermark: checkpoint.watermark, complete: false })
    expect(unacknowledgedClaims(checkpoint.watermark, proxy.acknowledged)).toEqual([])

    const rerun = await runCli(args, { cwd: workdir.path, env: env() })
    const second = jsonReport(rerun)
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(second.resumedFrom).toBe(checkpoint.watermark)
    expect(second.messages.accepted).toBe(rows - checkpoint.watermark)
    await sink.close()
    const received = await readReceived(out)
    expect(deliveryProblems(received, rowRange(1, rows))).toEqual([])
    // A graceful stop leaves nothing in doubt: not one message was sent twice.
    expect(received.stored).toBe(rows)
  })

  it("a second SIGINT stops at once, with a consistent checkpoint; what was in flight is reported not confirmed", async () => {
    const rows = 20_000
    const { file, out, sink, proxy } = await setup(rows, 30)
    const rejects = workdir.file("rejects.jsonl")
    const args = syncArgs(file, proxy.url, ["--rejects", rejects])
    const cli = startCli(args, { cwd: workdir.path, env: env() })
    await waitFor("the first 2,000 messages", () => proxy.acknowledged.size >= 2_000)
    // The receiver slows to a crawl: a flush would take minutes.
    sink.setFaults({ delayMillis: 20_000 })
    await sleep(300)
    cli.kill("SIGINT")
    await sleep(300)
    const secondSignalAt = Date.now()
    cli.kill("SIGINT")
    const result = await cli.exited
    expect(result.code, result.stderr).toBe(130)
    expect(result.stderr).toMatch(/SIGINT: stopping at once/)
    // At once: well before the receiver answers the requests in flight.
    expect(Date.now() - secondSignalAt).toBeLessThan(10_000)

    const report = jsonReport(result)
    expect(report.fatal?.kind).toBe("interrupted")
    // The report must not claim a flush that did not happen. (Soft: the rest of the test still runs.)
    expect.soft(report.fatal?.message, "the reason of an immediate stop").toBe("stopped at once on request")
    expect(report.messages.undelivered).toBeGreaterThan(0)
    expectBalancedReport(report)
    // A stop is a run-level failure: no reject per row; the rows not confirmed are ranges in the report.
    expect((await readRejects(rejects)).filter((reject) => reject.stage === "undelivered")).toEqual([])
    const notConfirmed = report.undeliveredRows ?? []
    expect(rowsInRanges(notConfirmed)).toBe(report.messages.undelivered)

    // The checkpoint passes them and lists them: it claims only acknowledged rows, apart from those.
    const checkpoint = (await readCheckpoint(stateDir()))!
    expect(checkpoint.complete).toBe(false)
    expect(report.checkpoint?.watermark).toBe(checkpoint.watermark)
    expect(unacknowledgedClaims(checkpoint.watermark, proxy.acknowledged, 1, checkpoint.undelivered)).toEqual([])
    for (const [from, to] of notConfirmed) {
      for (let row = from; row <= Math.min(to, checkpoint.watermark); row++) expect(inRanges(row, checkpoint.undelivered)).toBe(true)
    }

    sink.setFaults({ delayMillis: 0 })
    const rerun = await runCli(args, { cwd: workdir.path, env: env() })
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(jsonReport(rerun).resumedFrom).toBe(checkpoint.watermark)
    // The requests cut at the stop are still being answered (slowly): stop the sink without them.
    await sink.close()
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
  })

  it("SIGTERM with a flush slower than --drain-timeout: stops when the timeout passes, exit 130, nothing counted as delivered that was not", async () => {
    const rows = 20_000
    const { file, sink, proxy } = await setup(rows, 30)
    const args = syncArgs(file, proxy.url, ["--drain-timeout", "1000"])
    const cli = startCli(args, { cwd: workdir.path, env: env() })
    await waitFor("the first 2,000 messages", () => proxy.acknowledged.size >= 2_000)
    sink.setFaults({ delayMillis: 20_000 })
    await sleep(300)
    const signalAt = Date.now()
    cli.kill("SIGTERM")
    const result = await cli.exited
    expect(result.code, result.stderr).toBe(130)
    expect(result.stderr).toMatch(/SIGTERM: stopping/)
    expect(Date.now() - signalAt).toBeGreaterThanOrEqual(1_000)
    expect(Date.now() - signalAt).toBeLessThan(10_000)
    const report = jsonReport(result)
    expect(report.fatal).toMatchObject({ kind: "interrupted" })
    expect.soft(report.fatal!.message, "the reason of a stop at the drain timeout").toMatch(/the flush took over 1000 ms/)
    expect(report.messages.undelivered).toBeGreaterThan(0)
    expect(report.messages.accepted).toBe(proxy.acknowledged.size)
    expectBalancedReport(report)
    const checkpoint = (await readCheckpoint(stateDir()))!
    expect(unacknowledgedClaims(checkpoint.watermark, proxy.acknowledged, 1, checkpoint.undelivered)).toEqual([])
  })
})

import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"
import { inRanges, readCheckpoint, rowsInRanges, unacknowledgedClaims } from "./support/CheckpointFile.ts"
import { jsonReport, runCli, startCli } from "./support/Cli.ts"
import { deliveryProblems, readReceived, rowRange } from "./support/Received.ts"
import { type RecordingProxy, startRecordingProxy } from "./support/RecordingProxy.ts"
import { readRejects } from "./support/RejectsFile.ts"
import { expectBalancedReport, expectNoSecret } from "./support/ReportChecks.ts"
import { writeRowsCsv } from "./support/Rows.ts"
import { env, syncArgs, WRITE_KEY } from "./support/SyncCommand.ts"
import { waitFor } from "./support/Wait.ts"
import { useWorkdir } from "./support/Workdir.ts"

// Answers that are not worth retrying: a batch the receiver refuses (400) is reported and the run
// goes on; a refused write key (401) stops the run with a checkpoint to resume from.

const workdir = useWorkdir()
let sink: Sink | undefined
let proxy: RecordingProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await sink?.close()
  proxy = undefined
  sink = undefined
})

describe("refusals", () => {
  it("400 for any request holding one of two bad rows: the batches are split until those two are refused alone, every other row is delivered, exit 4", async () => {
    const rows = 3_000
    const bad = [517, 2_222]
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    const rejects = workdir.file("rejects.jsonl")
    sink = await startSink({ out, writeKeys: [WRITE_KEY] })
    proxy = await startRecordingProxy(sink.url)
    proxy.intercept((request) =>
      request.rows.some((row) => bad.includes(row))
        ? {
            status: 400,
            body: { success: false, message: `batch[${request.rows.findIndex((row) => bad.includes(row))}]: properties.score is not allowed` }
          }
        : undefined
    )
    const result = await runCli(syncArgs(file, proxy.url, ["--rejects", rejects, "--batch-count", "1000"]), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    await sink.close()

    expect(report.outcome).toBe("incomplete")
    expect(report.messages).toMatchObject({ refused: 2, accepted: rows - 2, undelivered: 0 })
    // Each bad row's batch of 1,000 costs 1 + 2·⌈log2 1000⌉ = 21 requests; the third batch 1.
    expect(report.batches).toMatchObject({ requests: 43, requestsForBisection: 40, retries: 0 })
    expect(proxy.requests.length).toBe(43)
    const rejected = await readRejects(rejects)
    expect(rejected.map((reject) => reject.row).sort((a, b) => a - b)).toEqual(bad)
    for (const reject of rejected) {
      expect(reject).toMatchObject({ stage: "batch-refused", status: 400 })
      expect(reject.reason).toMatch(/sent alone.*HTTP 400: batch\[0\]: properties\.score is not allowed/)
    }
    // Each bad row was last sent alone, and refused.
    for (const row of bad) {
      const last = proxy.requests.filter((request) => request.rows.includes(row)).at(-1)!
      expect(last.rows).toEqual([row])
      expect(last.intercepted).toBe(true)
    }
    expect(sink.stats().messagesAccepted).toBe(rows - 2)
    const delivered = rowRange(1, rows).filter((row) => !bad.includes(row))
    expect(deliveryProblems(await readReceived(out), delivered)).toEqual([])
    // A refused message is settled for good (its row is in the rejects file, to fix and send
    // again): the checkpoint is complete, nothing is left to resume.
    expect(await readCheckpoint(workdir.file(".tablecast/state"))).toMatchObject({ watermark: rows, complete: true })
    expectBalancedReport(report)
  })

  it("400 from a receiver that refuses every body: each batch stops splitting at its budget; every row is reported refused once", async () => {
    const rows = 300
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const rejects = workdir.file("rejects.jsonl")
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    proxy = await startRecordingProxy(sink.url)
    proxy.intercept(() => ({ status: 400, body: { success: false, message: "refused" } }))
    const result = await runCli(syncArgs(file, proxy.url, ["--rejects", rejects, "--batch-count", "100"]), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(4)
    expect(report.messages).toMatchObject({ refused: rows, accepted: 0, undelivered: 0 })
    // Each batch of 100 may spend 2·8·⌈log2 100⌉ = 112 requests on halves.
    expect(report.batches.requests).toBe(3 * (1 + 112))
    const rejected = await readRejects(rejects)
    expect(rejected.map((reject) => reject.row).sort((a, b) => a - b)).toEqual(rowRange(1, rows))
    expectBalancedReport(report)
  })

  it("a wrong write key: exit 5, one fatal error with the undelivered counts and rows in the report, no reject per queued row", async () => {
    const rows = 5_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const rejects = workdir.file("rejects.jsonl")
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const wrongKey = "wk_faults_wrong_0b9e"
    const result = await runCli(syncArgs(file, sink.url, ["--rejects", rejects]), { cwd: workdir.path, env: env(wrongKey) })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(5)
    expectNoSecret([result.stdout, result.stderr], wrongKey)
    expect(report.fatal?.kind).toBe("auth")
    expect(report.messages.accepted).toBe(0)
    expect(report.messages.undelivered).toBeGreaterThan(0)
    expect(report.messages.undelivered).toBe(report.messages.built)
    expect(report.undeliveredRows).toEqual([[1, report.messages.built]])
    // The rejects file holds rows rejected for what they are: none here.
    expect(await readRejects(rejects)).toEqual([])
    expect(report.rejects.total).toBe(0)
    expectBalancedReport(report)
  })

  it("401 mid-run (a revoked key): the run stops, says why, exit 5; the checkpoint holds only acknowledged rows; a re-run with a good key delivers every row", async () => {
    const rows = 20_000
    const newKey = "wk_faults_rotated_55e1"
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    const rejects = workdir.file("rejects.jsonl")
    sink = await startSink({ out, writeKeys: [WRITE_KEY, newKey], delayMillis: 30 })
    proxy = await startRecordingProxy(sink.url)
    const args = syncArgs(file, proxy.url, ["--rejects", rejects])
    const cli = startCli(args, { cwd: workdir.path, env: env(WRITE_KEY) })
    await waitFor("the first 3,000 messages", () => proxy!.acknowledged.size >= 3_000)
    // The key is revoked: the receiver answers it 401 from now on.
    proxy.intercept((request) =>
      request.writeKey === WRITE_KEY ? { status: 401, body: { success: false, message: "invalid write key" } } : undefined
    )
    const result = await cli.exited
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(5)
    expectNoSecret([result.stdout, result.stderr, JSON.stringify(await readRejects(rejects))], WRITE_KEY)
    expect(report.outcome).toBe("aborted")
    expect(report.fatal).toMatchObject({ kind: "auth", status: 401 })
    expect(report.fatal!.message).toMatch(/refused the write key.*HTTP 401/)
    expect(report.rows.read).toBeLessThan(rows)
    expectBalancedReport(report)

    // A run-level failure: no reject per row, the undelivered rows are ranges in the report. Every
    // row the receiver stored is accepted in the report or among them (in flight when the run
    // stopped); every row the report accepted, the receiver stored.
    expect((await readRejects(rejects)).filter((reject) => reject.stage === "undelivered")).toEqual([])
    const undeliveredRows = report.undeliveredRows ?? []
    expect(rowsInRanges(undeliveredRows)).toBe(report.messages.undelivered)
    const received = await readReceived(out)
    const stored = new Set(received.idsByRow.keys())
    expect([...stored].filter((row) => !inRanges(row, undeliveredRows)).length).toBe(report.messages.accepted)

    // The checkpoint claims only rows the receiver acknowledged, apart from those it lists as
    // undelivered (sent again by the next run).
    const checkpoint = (await readCheckpoint(workdir.file(".tablecast/state")))!
    expect(checkpoint.complete).toBe(false)
    expect(checkpoint.watermark).toBeGreaterThan(0)
    expect(report.checkpoint?.watermark).toBe(checkpoint.watermark)
    expect(unacknowledgedClaims(checkpoint.watermark, proxy.acknowledged, 1, checkpoint.undelivered)).toEqual([])
    const listed = rowsInRanges(checkpoint.undelivered)

    // Re-run with the rotated key: it resumes after the checkpoint and every row arrives.
    const rerun = await runCli(args, { cwd: workdir.path, env: env(newKey) })
    const second = jsonReport(rerun)
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(second.resumedFrom).toBe(checkpoint.watermark)
    expect(second.rows.skipped).toBe(checkpoint.watermark - listed)
    expect(second.messages.accepted).toBe(rows - checkpoint.watermark + listed)
    await sink.close()
    const final = await readReceived(out)
    expect(deliveryProblems(final, rowRange(1, rows))).toEqual([])
    // Copies only of rows re-sent around the stop (after the checkpoint), under the same messageId.
    const copied = [...final.copiesByRow].filter(([, copies]) => copies > 1).map(([row]) => row)
    expect(copied.filter((row) => row <= checkpoint.watermark && !inRanges(row, checkpoint.undelivered))).toEqual([])
    expectBalancedReport(second)
    // The resumed run appends to the rejects file: it should not still list as undelivered the rows
    // it has now delivered. (Soft: found by this suite, see docs/guarantees.md.)
    const stale = (await readRejects(rejects)).filter((reject) => reject.stage === "undelivered").map((reject) => reject.row)
    expect.soft(stale.length, "rows still listed as undelivered after the re-run delivered them").toBe(0)
  })
})

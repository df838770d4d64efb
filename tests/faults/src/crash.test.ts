import { appendFile } from "node:fs/promises"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"
import { readCheckpoint, unacknowledgedClaims } from "./support/CheckpointFile.ts"
import { type CliResult, jsonReport, runCli, startCli } from "./support/Cli.ts"
import { runSeed, seededRandom } from "./support/Random.ts"
import { deliveryProblems, readReceived, rowRange } from "./support/Received.ts"
import { type RecordingProxy, startRecordingProxy } from "./support/RecordingProxy.ts"
import { readRejects } from "./support/RejectsFile.ts"
import { expectBalancedReport } from "./support/ReportChecks.ts"
import { rowLine, writeRowsCsv } from "./support/Rows.ts"
import { env, syncArgs, WRITE_KEY } from "./support/SyncCommand.ts"
import { sleep, waitFor } from "./support/Wait.ts"
import { useWorkdir } from "./support/Workdir.ts"

// kill -9: no handler runs, nothing is flushed. What survives is the checkpoint file, written
// atomically after acknowledgements; the same command then resumes after it.

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

/**
 * Starts the command and SIGKILLs it `afterMillis` after its first request reached the receiver.
 * Returns undefined when the run ended on its own first.
 */
const killMidRun = async (args: ReadonlyArray<string>, afterMillis: number): Promise<CliResult | undefined> => {
  const requestsBefore = proxy!.requests.length
  const cli = startCli(args, { cwd: workdir.path, env: env() })
  let ended = false
  void cli.exited.then(() => (ended = true))
  await waitFor("the run's first request", () => ended || proxy!.requests.length > requestsBefore)
  await sleep(afterMillis)
  if (ended) return undefined
  cli.kill("SIGKILL")
  return cli.exited
}

describe("crash: kill -9 and resume", () => {
  const killAndResume = async (rows: number, type: "track" | "both") => {
    const seed = runSeed()
    const random = seededRandom(seed)
    const perRow = type === "both" ? 2 : 1
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    // Slow, unevenly: batches are acknowledged out of order, and the run lasts long enough to be killed.
    sink = await startSink({ out, writeKeys: [WRITE_KEY], delayMillis: 60, slowShare: 0.5, seed })
    proxy = await startRecordingProxy(sink.url)
    const args = syncArgs(file, proxy.url, ["--type", type])
    const context = `seed ${seed} (TABLECAST_FAULTS_SEED=${seed} replays it)`

    const watermarks: Array<number> = []
    // A resumed run can finish before the next kill lands: then it completed the sync itself.
    let finishedAlone = false
    for (let kill = 0; kill < 3; kill++) {
      const killed = await killMidRun(args, Math.floor(random() * 1_200))
      if (killed === undefined) {
        finishedAlone = true
        break
      }
      expect(killed.signal, context).toBe("SIGKILL")
      const checkpoint = await readCheckpoint(stateDir())
      const watermark = checkpoint?.watermark ?? 0
      // Never ahead of the receiver (every message of every row it claims), never backwards.
      expect(unacknowledgedClaims(watermark, proxy.acknowledged, perRow, checkpoint?.undelivered), context).toEqual([])
      expect(watermark, context).toBeGreaterThanOrEqual(watermarks.at(-1) ?? 0)
      if (checkpoint !== undefined) expect(checkpoint.complete, context).toBe(false)
      watermarks.push(watermark)
    }
    expect(watermarks.length, `${context}: no kill landed mid-run`).toBeGreaterThan(0)

    if (!finishedAlone) {
      const result = await runCli(args, { cwd: workdir.path, env: env() })
      const report = jsonReport(result)
      expect(result.code, `${context}\n${result.stderr}`).toBe(0)
      const last = watermarks.at(-1)!
      if (last > 0) expect(report.resumedFrom, context).toBe(last)
      expect(report.rows.skipped, context).toBe(last)
      expect(report.messages.accepted, context).toBe((rows - last) * perRow)
      expectBalancedReport(report)
    }
    expect(await readCheckpoint(stateDir()), context).toMatchObject({ watermark: rows, complete: true })

    await sink.close()
    const received = await readReceived(out)
    // Every row, each under its own messageId(s), however many times it was sent.
    expect(deliveryProblems(received, rowRange(1, rows), perRow), context).toEqual([])
    const resent = [...received.copiesByRow].filter(([, copies]) => copies > perRow).map(([row]) => row)
    expect(resent.length, `${context}: no row was re-sent, so the kills proved nothing about messageIds`).toBeGreaterThan(0)
    // Rows the first checkpoint had settled were never sent again.
    expect(
      resent.filter((row) => row <= watermarks[0]!),
      context
    ).toEqual([])
  }

  it("killed at random moments of a 20,000-row run, re-run until done: every row delivered, re-sent rows keep their messageIds", async () => {
    await killAndResume(20_000, "track")
  })

  it("the same with --type both (an identify and a track per row, which can land in different batches)", async () => {
    await killAndResume(10_000, "both")
  })

  it("a source changed between the crash and the re-run: exit 7, told to use --restart, nothing sent; --restart then sends it all", async () => {
    const rows = 20_000
    const file = workdir.file("scores.csv")
    await writeRowsCsv(file, rows)
    const out = workdir.file("received.jsonl")
    sink = await startSink({ out, writeKeys: [WRITE_KEY], delayMillis: 60 })
    proxy = await startRecordingProxy(sink.url)
    const args = syncArgs(file, proxy.url)
    // Killed once it has saved a checkpoint (of an unfinished run).
    const cli = startCli(args, { cwd: workdir.path, env: env() })
    await waitFor("a checkpoint", async () => ((await readCheckpoint(stateDir()))?.watermark ?? 0) > 0)
    cli.kill("SIGKILL")
    expect((await cli.exited).signal).toBe("SIGKILL")
    const checkpoint = await readCheckpoint(stateDir())
    expect(checkpoint?.complete).toBe(false)

    // The model ran again: one more row.
    await appendFile(file, `${rowLine(rows + 1)}\n`)
    const requestsBefore = proxy.requests.length
    const refused = await runCli(
      args.filter((arg) => arg !== "--json"),
      { cwd: workdir.path, env: env() }
    )
    expect(refused.code, refused.stderr).toBe(7)
    expect(refused.stdout).toMatch(/the source changed since the interrupted run/)
    expect(refused.stdout).toMatch(/--restart/)
    expect(proxy.requests.length).toBe(requestsBefore)
    // The checkpoint of the interrupted run is left as it was.
    expect(await readCheckpoint(stateDir())).toEqual(checkpoint)

    const restarted = await runCli([...args, "--restart"], { cwd: workdir.path, env: env() })
    const report = jsonReport(restarted)
    expect(restarted.code, restarted.stderr).toBe(0)
    expect(report.resumedFrom).toBeUndefined()
    expect(report.rows.skipped).toBe(0)
    expect(report.messages.accepted).toBe(rows + 1)
    await sink.close()
    // Rows sent before the crash were sent again with the same messageIds (the row is unchanged).
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows + 1))).toEqual([])
  })

  it("a resumed run's rejects file lists each rejected row once", async () => {
    const rows = 20_000
    const file = workdir.file("scores.csv")
    // Every 500th row has no customer id.
    await writeRowsCsv(file, rows, (row) => (row % 500 === 0 ? `,0.5,s1,churn-v3` : rowLine(row)))
    sink = await startSink({ writeKeys: [WRITE_KEY], delayMillis: 60 })
    proxy = await startRecordingProxy(sink.url)
    const rejects = workdir.file("rejects.jsonl")
    const args = syncArgs(file, proxy.url, ["--rejects", rejects])
    const cli = startCli(args, { cwd: workdir.path, env: env() })
    await waitFor("a checkpoint", async () => ((await readCheckpoint(stateDir()))?.watermark ?? 0) > 0)
    cli.kill("SIGKILL")
    await cli.exited
    const rerun = await runCli(args, { cwd: workdir.path, env: env() })
    expect(rerun.code, rerun.stderr).toBe(3)
    const rejected = (await readRejects(rejects)).map((reject) => reject.row)
    // Every bad row is in the file (those the first run settled were kept, the rest re-read)...
    expect(new Set(rejected)).toEqual(new Set(rowRange(1, rows).filter((row) => row % 500 === 0)))
    // ...once: rows the first run had read past its checkpoint must not be listed twice.
    const twice = rejected.filter((row, index) => rejected.indexOf(row) !== index)
    expect(twice, "rows listed twice in the rejects file").toEqual([])
  })
})

import { readFile, writeFile } from "node:fs/promises"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { OptionsError, type Progress, type Reject, SyncAbortedError, SyncStoppedError, startSync, sync, TablecastError } from "./index.ts"
import { expectBalancedBooks, receiver, scoresFolder } from "./Sync.testkit.ts"

const mapping = { event: "Churn Scored", customerId: "customer_id" } as const

describe("sync", () => {
  it("delivers every row of a CSV file to the receiver and resolves with the report", async () => {
    const sink = await receiver({ writeKeys: ["test"] })
    const { file } = await scoresFolder(250)
    const report = await sync({ source: { type: "csv", path: file }, ...mapping, writeKey: "test", destination: { endpoint: sink.url } })
    expect(report.outcome).toBe("completed")
    expect(report.rows.read).toBe(250)
    expect(report.messages.accepted).toBe(250)
    expect(sink.stats().messagesAccepted).toBe(250)
    expect(sink.stats().uniqueMessageIds).toBe(250)
    expectBalancedBooks(report)
  })

  it("reads relative paths from cwd and writes the rejected rows to the rejects file", async () => {
    const sink = await receiver()
    const { dir } = await scoresFolder(0)
    await writeFile(path.join(dir, "scores.csv"), "customer_id,churn_score\nc1,0.5\n,0.7\nc3,0.9\n")
    const report = await sync({
      source: { type: "csv", path: "scores.csv" },
      ...mapping,
      cwd: dir,
      rejects: "rejects.jsonl",
      writeKey: "test",
      destination: { endpoint: sink.url }
    })
    expect(report.rows.rejected).toBe(1)
    expect(report.messages.accepted).toBe(2)
    const lines = (await readFile(path.join(dir, "rejects.jsonl"), "utf8")).trim().split("\n")
    expect(lines.map((line) => (JSON.parse(line) as Reject).row)).toEqual([2])
    expectBalancedBooks(report)
  })

  it("gives every rejected row to a rejects function", async () => {
    const sink = await receiver()
    const { dir, file } = await scoresFolder(0)
    await writeFile(file, "customer_id,churn_score\n,0.1\nc2,0.2\n,0.3\n")
    const rejected: Array<Reject> = []
    const report = await sync({
      source: { type: "csv", path: file },
      ...mapping,
      cwd: dir,
      rejects: (rows) => void rejected.push(...rows),
      writeKey: "test",
      destination: { endpoint: sink.url }
    })
    expect(rejected.map((reject) => [reject.row, reject.stage, reject.column])).toEqual([
      [1, "validation", "customer_id"],
      [3, "validation", "customer_id"]
    ])
    expect(report.rows.rejected).toBe(2)
  })

  it("stops gracefully on abort mid-run: rejects with the report, whose books balance and match the receiver", async () => {
    // The receiver answers slowly, one batch at a time, so the abort lands while rows remain to read.
    const sink = await receiver({ delayMillis: 20 })
    const { file } = await scoresFolder(5_000)
    const controller = new AbortController()
    const run = sync({
      source: { type: "csv", path: file, worker: false },
      ...mapping,
      writeKey: "test",
      destination: { endpoint: sink.url },
      pipeline: { batchCount: 10, queueCapacity: 20, maxInFlight: 1, minInFlight: 1 },
      signal: controller.signal,
      // Aborts once the first batch is acknowledged: a point in the run, not a time.
      onProgress: (progress) => {
        if (progress.messagesAccepted > 0) controller.abort()
      }
    })
    const error = await run.then(
      () => undefined,
      (failure: unknown) => failure
    )
    expect(error).toBeInstanceOf(SyncAbortedError)
    const aborted = error as SyncAbortedError
    expect(aborted.name).toBe("AbortError")
    expect(aborted.kind).toBe("interrupted")
    expect(aborted.exitCode).toBe(130)
    const report = aborted.report
    expect(report.outcome).toBe("aborted")
    expect(report.rows.read).toBeLessThan(5_000)
    expect(report.messages.accepted).toBeGreaterThan(0)
    expect(report.messages.accepted).toBe(sink.stats().messagesAccepted)
    expectBalancedBooks(report)
  })

  it("tells progress to the callback and the iterator, counts increasing and ending at the total", async () => {
    const sink = await receiver()
    const { file } = await scoresFolder(300)
    const told: Array<Progress> = []
    const run = startSync({
      source: { type: "csv", path: file },
      ...mapping,
      writeKey: "test",
      destination: { endpoint: sink.url },
      pipeline: { batchCount: 50 },
      onProgress: (progress) => void told.push(progress)
    })
    const iterated: Array<Progress> = []
    for await (const progress of run.progress) iterated.push(progress)
    const report = await run.report
    for (const seen of [told, iterated]) {
      expect(seen.length).toBeGreaterThan(0)
      const accepted = seen.map((progress) => progress.messagesAccepted)
      expect(accepted).toEqual([...accepted].sort((a, b) => a - b))
      expect(seen.at(-1)?.rowsRead).toBe(300)
      expect(seen.at(-1)?.messagesAccepted).toBe(report.messages.accepted)
    }
    expect(report.messages.accepted).toBe(300)
    expect(told.length).toBeGreaterThan(1)
  })

  it("rejects a bad option with an OptionsError naming it, before reading or sending anything", async () => {
    const sink = await receiver()
    const { file } = await scoresFolder(3)
    const attempt = (options: Record<string, unknown>) =>
      sync({ source: { type: "csv", path: file }, ...mapping, writeKey: "test", destination: { endpoint: sink.url }, ...options } as never).then(
        () => undefined,
        (error: unknown) => error
      )
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ pipeline: { batchCount: 0 } }, "pipeline.batchCount"],
      [{ evnt: "typo" }, "evnt"],
      [{ type: "page" }, "type"],
      [{ writeKey: undefined, destination: { endpoint: sink.url, writeKeyEnv: "TABLECAST_NODE_TEST_UNSET" } }, "writeKey"],
      [{ source: { type: "csv" } }, "source.path"],
      [{ source: { type: "excel", path: file } }, "source.type"]
    ]
    for (const [options, option] of cases) {
      const error = await attempt(options)
      expect(error, option).toBeInstanceOf(OptionsError)
      expect((error as OptionsError).option, option).toBe(option)
      expect((error as OptionsError).message, option).toContain(option)
      expect((error as OptionsError).exitCode).toBe(2)
    }
    expect(sink.stats().requests).toBe(0)
  })

  it("rejects with kind source (the CLI's exit code 6) when the file cannot be read", async () => {
    const sink = await receiver()
    const { dir } = await scoresFolder(0)
    const error = await sync({
      source: { type: "csv", path: "missing.csv" },
      cwd: dir,
      ...mapping,
      writeKey: "test",
      destination: { endpoint: sink.url }
    }).then(
      () => undefined,
      (failure: unknown) => failure
    )
    expect(error).toBeInstanceOf(TablecastError)
    expect((error as TablecastError).kind).toBe("source")
    expect((error as TablecastError).exitCode).toBe(6)
    expect((error as TablecastError).message).toContain("missing.csv")
    expect(sink.stats().requests).toBe(0)
  })

  it("never puts the write key in an error or a report", async () => {
    const writeKey = "wk_live_0123456789abcdefSECRET"
    const sink = await receiver({ writeKeys: ["another-key"] })
    const { file } = await scoresFolder(20)
    const error = await sync({ source: { type: "csv", path: file }, ...mapping, writeKey, destination: { endpoint: sink.url } }).then(
      () => undefined,
      (failure: unknown) => failure
    )
    expect(error).toBeInstanceOf(SyncStoppedError)
    const stopped = error as SyncStoppedError
    expect(stopped.kind).toBe("auth")
    expect(stopped.exitCode).toBe(5)
    expectBalancedBooks(stopped.report)
    const accepting = await receiver({ writeKeys: [writeKey] })
    const report = await sync({ source: { type: "csv", path: file }, ...mapping, writeKey, destination: { endpoint: accepting.url } })
    expect(report.messages.accepted).toBe(20)
    const badKey = await sync({
      source: { type: "csv", path: file },
      ...mapping,
      writeKey: `${writeKey} x`,
      destination: { endpoint: sink.url }
    }).then(
      () => undefined,
      (failure: unknown) => failure
    )
    for (const text of [
      stopped.message,
      String(stopped.stack),
      JSON.stringify(stopped.report),
      JSON.stringify(report),
      String(badKey),
      JSON.stringify(badKey)
    ]) {
      expect(text).not.toContain(writeKey)
    }
  })
})

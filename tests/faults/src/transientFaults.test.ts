import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"
import { jsonReport, runCli } from "./support/Cli.ts"
import { deliveryProblems, readReceived, rowRange } from "./support/Received.ts"
import { type RecordingProxy, startRecordingProxy } from "./support/RecordingProxy.ts"
import { expectBalancedReport, expectNoSecret } from "./support/ReportChecks.ts"
import { writeRowsCsv } from "./support/Rows.ts"
import { env, syncArgs, WRITE_KEY } from "./support/SyncCommand.ts"
import { sleep } from "./support/Wait.ts"
import { useWorkdir } from "./support/Workdir.ts"

// Transient faults: each is retried until the batch is acknowledged. Every case proves the same
// three things: every row arrived under one messageId, the report counts each message once, and
// the report's "accepted" is what the receiver stored.

const workdir = useWorkdir()
let sink: Sink | undefined
let proxy: RecordingProxy | undefined
afterEach(async () => {
  await proxy?.close()
  await sink?.close()
  proxy = undefined
  sink = undefined
})

const setup = async (rows: number, faults: Parameters<typeof startSink>[0] = {}) => {
  const file = workdir.file("scores.csv")
  await writeRowsCsv(file, rows)
  const out = workdir.file("received.jsonl")
  sink = await startSink({ out, writeKeys: [WRITE_KEY], ...faults })
  proxy = await startRecordingProxy(sink.url)
  return { file, out, sink, proxy }
}

describe("transient faults are retried until every row is delivered once", () => {
  it("429 with Retry-After: the retry waits as told; the other batches go on, at a lower request rate", async () => {
    const rows = 3_000
    const retryAfterSeconds = 3
    const { file, out, sink, proxy } = await setup(rows)
    // A burst: the 6th request and every request arriving in the next 200 ms get 429.
    let burstStart: number | undefined
    proxy.intercept((request) => {
      const inBurst = request.number === 6 || (burstStart !== undefined && request.arrivedAt - burstStart < 200)
      if (!inBurst) return undefined
      burstStart ??= request.arrivedAt
      return { status: 429, headers: { "retry-after": String(retryAfterSeconds) }, body: { success: false, message: "too many requests" } }
    })
    const result = await runCli(syncArgs(file, proxy.url), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await sink.close()

    const throttled = proxy.requests.filter((request) => request.status === 429)
    expect(throttled.length).toBeGreaterThanOrEqual(1)
    // Honoured: each throttled batch is tried again no sooner than Retry-After.
    for (const request of throttled) {
      const retry = proxy.requests.find((later) => later.number > request.number && later.messageIds[0] === request.messageIds[0])
      expect(retry, `the batch of request ${request.number} was never retried`).toBeDefined()
      expect(retry!.arrivedAt - request.answeredAt!).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - 20)
    }
    // Not paused: while the throttled batch waits out its Retry-After, other batches are sent,
    // at the lowered rate (Segment's Retry-After over 30 s is what pauses every sender).
    const firstAnswer = throttled[0]!.answeredAt!
    const landedInPause = proxy.requests.filter(
      (request) => request.arrivedAt > firstAnswer + 500 && request.arrivedAt < firstAnswer + retryAfterSeconds * 1000 - 20
    )
    expect(landedInPause.length).toBeGreaterThan(0)
    expect(report.sending?.throttled).toBe(throttled.length)
    expect(report.sending?.rateCuts).toBeGreaterThanOrEqual(1)
    expect(report.sending?.rateLimit).toBeLessThan(50)

    expect(report.batches.retries).toBe(throttled.length)
    expect(report.messages.accepted).toBe(rows)
    expect(sink.stats().messagesAccepted).toBe(rows)
    expect(sink.stats().duplicateMessageIds).toBe(0)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
  })

  it("429s drawn throughout the run (20% of requests, Retry-After 1 s): delivered once", async () => {
    const rows = 2_000
    const { file, out, sink } = await setup(rows, { throttleShare: 0.2, retryAfterSeconds: 1, seed: 7 })
    const result = await runCli(syncArgs(file, sink.url), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await sink.close()
    const stats = sink.stats()
    expect(stats.faults.throttled).toBeGreaterThan(0)
    expect(report.batches.retries).toBe(stats.faults.throttled)
    expect(report.messages.accepted).toBe(rows)
    expect(stats.messagesAccepted).toBe(rows)
    expect(stats.duplicateMessageIds).toBe(0)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
  })

  it("500, 502, 503 and 504 answers: retried with backoff, delivered once", async () => {
    const rows = 3_000
    const { file, out, sink, proxy } = await setup(rows, { serverErrorShare: 0.3, seed: 11 })
    // The sink draws 500/502/503; a gateway timeout comes from the proxy, every 7th request.
    proxy.intercept((request) => (request.number % 7 === 0 ? { status: 504, body: "<html>gateway timeout</html>" } : undefined))
    const result = await runCli(syncArgs(file, proxy.url), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await sink.close()
    const stats = sink.stats()
    const statuses = new Set(proxy.requests.map((request) => request.status))
    for (const status of [500, 502, 503, 504]) expect(statuses.has(status), `no ${status} was injected`).toBe(true)
    const failed = proxy.requests.filter((request) => request.status !== 200).length
    expect(report.batches.retries).toBe(failed)
    expect(report.batches.requests).toBe(proxy.requests.length)
    expect(report.messages.accepted).toBe(rows)
    expect(stats.messagesAccepted).toBe(rows)
    expect(stats.duplicateMessageIds).toBe(0)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
  })

  it("connection resets (no answer at all): retried, delivered once", async () => {
    const rows = 3_000
    const { file, out, sink } = await setup(rows, { dropShare: 0.25, seed: 5 })
    const result = await runCli(syncArgs(file, sink.url), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await sink.close()
    const stats = sink.stats()
    expect(stats.faults.droppedConnections).toBeGreaterThan(0)
    expect(report.batches.retries).toBe(stats.faults.droppedConnections)
    expect(report.messages.accepted).toBe(rows)
    expect(stats.messagesAccepted).toBe(rows)
    expect(stats.duplicateMessageIds).toBe(0)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
  })

  it("half-written 200 answers: not taken as an acknowledgement, retried, delivered once", async () => {
    const rows = 3_000
    const { file, out, sink } = await setup(rows, { halfWriteShare: 0.25, seed: 9 })
    const result = await runCli(syncArgs(file, sink.url), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    await sink.close()
    const stats = sink.stats()
    expect(stats.faults.halfWritten).toBeGreaterThan(0)
    expect(report.batches.retries).toBe(stats.faults.halfWritten)
    expect(report.messages.accepted).toBe(rows)
    // A half-written answer stores nothing at the sink, so what it stored is exactly what was reported.
    expect(stats.messagesAccepted).toBe(rows)
    expect(stats.duplicateMessageIds).toBe(0)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
  })

  it("timeouts (the receiver answers after --timeout): retried; the receiver's late copies share their messageIds", async () => {
    const rows = 2_000
    const { file, out, sink } = await setup(rows, { delayMillis: 1_500, slowShare: 0.2, seed: 3 })
    const result = await runCli(syncArgs(file, sink.url, ["--timeout", "400"]), { cwd: workdir.path, env: env() })
    const report = jsonReport(result)
    expect(result.code, result.stderr).toBe(0)
    // Let the receiver finish the requests tablecast gave up on, as a real one would.
    await sleep(1_700)
    await sink.close()
    const stats = sink.stats()
    expect(stats.faults.slowed).toBeGreaterThan(0)
    // Every slowed answer is a timeout and a retry (a request stalled by a busy machine may add one).
    expect(report.batches.retries).toBeGreaterThanOrEqual(stats.faults.slowed)
    // The report counts each message once, though the receiver stored the timed-out batches too
    // (it finished them after tablecast had given up): those copies are duplicates by messageId,
    // which is what Segment deduplicates.
    expect(report.messages.accepted).toBe(rows)
    expect(stats.uniqueMessageIds).toBe(rows)
    expect(stats.messagesAccepted).toBe(rows + stats.duplicateMessageIds)
    expect(stats.duplicateMessageIds).toBeLessThanOrEqual(report.batches.retries * 100)
    expect(deliveryProblems(await readReceived(out), rowRange(1, rows))).toEqual([])
    expectBalancedReport(report)
    expectNoSecret([result.stdout, result.stderr], WRITE_KEY)
  })
})

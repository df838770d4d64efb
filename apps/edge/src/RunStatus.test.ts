import { describe, expect, it } from "vitest"
import { type ChunkResult, type RunMeta, summarizeRun } from "./RunStatus.ts"

const meta: RunMeta = {
  runId: "run-1",
  sync: "track Sales Prediction",
  source: "json request run-1",
  endpoint: "http://127.0.0.1:1/v1/batch",
  format: "json",
  rows: 2_500,
  chunks: 3,
  startedAt: "2026-01-01T00:00:00.000Z"
}

const chunk = (index: number, rows: number, over: Partial<ChunkResult["report"]> = {}, extra: Partial<ChunkResult> = {}): ChunkResult => ({
  chunk: index,
  firstRow: index * 1_000 + 1,
  rows,
  attempts: 1,
  deadLettered: false,
  skipped: false,
  finishedAt: `2026-01-01T00:00:0${index + 1}.000Z`,
  report: {
    outcome: "completed",
    rows: { read: rows, mapped: rows, rejected: 0, skipped: 0 },
    messages: { built: rows, sent: rows, accepted: rows, refused: 0, undelivered: 0 },
    batches: { accepted: 1, refused: 0, undelivered: 0, planned: 0, requests: 1, retries: 0 },
    bytesSent: 100,
    rejects: { total: 0, byStage: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }, sample: [] },
    ...over
  },
  ...extra
})

describe("summarizeRun", () => {
  it("is running until every chunk is in, then done with the outcome and the last finish time", () => {
    const running = summarizeRun(meta, [chunk(0, 1_000), chunk(1, 1_000)])
    expect(running).toMatchObject({ state: "running", chunks: { done: 2, pending: 1 }, rows: { read: 2_000, pending: 500 } })
    expect(running.outcome).toBeUndefined()
    const done = summarizeRun(meta, [chunk(2, 500), chunk(0, 1_000), chunk(1, 1_000)])
    expect(done).toMatchObject({
      state: "done",
      outcome: "completed",
      finishedAt: "2026-01-01T00:00:03.000Z",
      rows: { total: 2_500, read: 2_500, mapped: 2_500, unread: 0, pending: 0 },
      messages: { accepted: 2_500 }
    })
  })

  it("counts a stopped run's skipped chunks as unread rows, and calls the run aborted", () => {
    const fatal = { kind: "auth" as const, message: "HTTP 401: unknown write key", status: 401 }
    const status = summarizeRun(
      meta,
      [
        chunk(
          0,
          1_000,
          {
            outcome: "aborted",
            rows: { read: 1_000, mapped: 1_000, rejected: 0, skipped: 0 },
            messages: { built: 1_000, sent: 100, accepted: 0, refused: 0, undelivered: 1_000 },
            fatal
          },
          { deadLettered: true }
        ),
        chunk(1, 1_000, {}, { skipped: true, deadLettered: true }),
        chunk(2, 500, {}, { skipped: true, deadLettered: true })
      ],
      fatal
    )
    expect(status).toMatchObject({
      state: "done",
      outcome: "aborted",
      fatal,
      chunks: { deadLettered: 3 },
      rows: { total: 2_500, read: 1_000, unread: 1_500 },
      messages: { built: 1_000, accepted: 0, undelivered: 1_000 }
    })
  })

  it("is done, and aborted, when enqueueing stopped part-way", () => {
    const status = summarizeRun({ ...meta, enqueueFailure: { fromChunk: 1, rows: 1_500, message: "queue refused" } }, [chunk(0, 1_000)])
    expect(status).toMatchObject({
      state: "done",
      outcome: "aborted",
      chunks: { total: 1, done: 1 },
      rows: { total: 2_500, read: 1_000, unread: 1_500, pending: 0 },
      fatal: { kind: "internal" }
    })
  })

  it("calls a run with refused batches incomplete and keeps up to 20 rejects in the sample", () => {
    const sample = Array.from({ length: 15 }, (_, i) => ({ row: i + 1, stage: "batch-refused" as const, reason: "HTTP 400" }))
    const refused = {
      outcome: "incomplete" as const,
      messages: { built: 1_000, sent: 1_000, accepted: 985, refused: 15, undelivered: 0 },
      rejects: { total: 15, byStage: { source: 0, validation: 0, "batch-refused": 15, undelivered: 0 }, sample }
    }
    const status = summarizeRun(meta, [chunk(0, 1_000, refused), chunk(1, 1_000, refused), chunk(2, 500)])
    expect(status.outcome).toBe("incomplete")
    expect(status.rejects.total).toBe(30)
    expect(status.rejects.byStage["batch-refused"]).toBe(30)
    expect(status.rejects.sample).toHaveLength(20)
  })

  it("never reports completed when the books do not balance: the run fails as unbalanced, with the count", () => {
    // Chunk 1 read 1,000 rows but accounts for 999 of them, and its messages for none of the 999.
    const lossy = chunk(1, 1_000, {
      rows: { read: 1_000, mapped: 999, rejected: 0, skipped: 0 },
      messages: { built: 999, sent: 0, accepted: 0, refused: 0, undelivered: 0 }
    })
    const status = summarizeRun(meta, [chunk(0, 1_000), lossy, chunk(2, 500)])
    expect(status.state).toBe("done")
    expect(status.outcome).toBe("aborted")
    expect(status.fatal?.kind).toBe("unbalanced")
    expect(status.fatal?.message).toContain("1 row read unaccounted for")
    expect(status.fatal?.message).toContain("999 messages built unaccounted for")
    // A chunk that found its own books unbalanced fails the run too, whatever the sums say.
    const flagged = chunk(1, 1_000, {
      outcome: "aborted",
      fatal: { kind: "unbalanced", message: "the books do not balance: 2 messages counted twice" }
    })
    const other = summarizeRun(meta, [chunk(0, 1_000), flagged, chunk(2, 500)])
    expect(other).toMatchObject({
      outcome: "aborted",
      fatal: { kind: "unbalanced", message: "the books do not balance: 2 messages counted twice" }
    })
  })

  it("tells how the chunks sent: their 429s and waits summed, the highest concurrency reached", () => {
    const sending = (throttled: number, peak: number) => ({
      throttled,
      throttleWaitMillis: throttled * 1_000,
      concurrencyLimit: 4,
      concurrencyLimitPeak: peak,
      rateLimit: 50,
      rateCuts: 0
    })
    const status = summarizeRun(meta, [chunk(0, 1_000, { sending: sending(1, 5) }), chunk(1, 1_000, { sending: sending(2, 7) }), chunk(2, 500)])
    expect(status.sending).toEqual({
      throttled: 3,
      throttleWaitMillis: 3_000,
      concurrencyLimit: 4,
      concurrencyLimitPeak: 7,
      rateLimit: 50,
      rateCuts: 0
    })
    expect(summarizeRun(meta, [chunk(0, 1_000)]).sending).toBeUndefined()
  })
})

import { emptySums, type FatalError } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { type ChunkResult, type RunMeta, summarizeRun } from "../RunStatus.ts"
import { queuedRunOf } from "./EdgeRun.ts"
import type { RunningEdgeRun } from "./EdgeRunEntry.ts"

const running: RunningEdgeRun = {
  id: "20260101T000000000Z-abcdef",
  runId: "run-1",
  mode: "queue",
  state: "running",
  sync: "churn",
  trigger: "cron",
  source: "csv from https://exports.example.com/churn.csv (scheduled run churn)",
  endpoint: "http://127.0.0.1:1/v1/batch",
  startedAt: "2026-01-01T00:00:00.000Z",
  dryRun: false,
  settings: { mode: "queue", format: "csv", maxRps: 50 },
  queue: { chunks: 3, rows: 2_500 }
}
const meta: RunMeta = {
  runId: "run-1",
  sync: "churn",
  source: running.source,
  endpoint: running.endpoint,
  format: "csv",
  rows: 2_500,
  chunks: 3,
  startedAt: running.startedAt,
  history: running
}

const delivered = (index: number, rows: number, rejected = 0): ChunkResult => ({
  chunk: index,
  firstRow: index * 1_000 + 1,
  rows,
  attempts: 1,
  deadLettered: false,
  skipped: false,
  finishedAt: `2026-01-01T00:00:0${index + 2}.000Z`,
  report: {
    outcome: "completed",
    rows: { read: rows, mapped: rows - rejected, rejected, skipped: 0 },
    messages: { built: rows - rejected, sent: rows - rejected, accepted: rows - rejected, refused: 0, undelivered: 0 },
    batches: { accepted: 2, refused: 0, undelivered: 0, planned: 0, requests: 2, retries: 1 },
    bytesSent: 1_000,
    rejects: { total: rejected, byStage: { source: rejected, validation: 0, "batch-refused": 0, undelivered: 0 }, sample: [] },
    sending: { throttled: 1, throttleWaitMillis: 1_000, concurrencyLimit: 4, concurrencyLimitPeak: 4, rateCuts: 1 }
  }
})

describe("queuedRunOf: a queued run's record from its status", () => {
  it("adds up the chunks into core's record, with the CLI's exit code and the queue's figures", () => {
    const record = queuedRunOf(summarizeRun(meta, [delivered(0, 1_000, 2), delivered(1, 1_000), delivered(2, 500)]), running)
    expect(record).toMatchObject({
      version: 1,
      id: running.id,
      runId: "run-1",
      state: "done",
      mode: "queue",
      trigger: "cron",
      sync: "churn",
      outcome: "completed",
      exitCode: 3,
      startedAt: "2026-01-01T00:00:00.000Z",
      endedAt: "2026-01-01T00:00:04.000Z",
      durationMillis: 4_000,
      counts: { read: 2_500, mapped: 2_498, rejected: 2, accepted: 2_498, undelivered: 0 },
      requests: { total: 6, retries: 3, throttled: 3 },
      bytesSent: 3_000,
      throughput: { rowsPerSecond: 625 },
      settings: { mode: "queue", format: "csv", maxRps: 50 },
      queue: { chunks: 3, deadLettered: 0, rows: 2_500, unread: 0 }
    })
  })

  it("a run stopped by a refused write key: aborted, exit code 5, the rows never read counted as unread", () => {
    const refused: FatalError = { kind: "auth", message: "the endpoint refused the write key", status: 401 }
    const stopped: ChunkResult = {
      ...delivered(0, 1_000),
      report: {
        ...delivered(0, 1_000).report,
        outcome: "aborted",
        rows: { read: 0, mapped: 0, rejected: 0, skipped: 0 },
        messages: { ...emptySums().messages },
        fatal: refused
      },
      deadLettered: true
    }
    const skipped = (index: number, rows: number): ChunkResult => ({
      ...delivered(index, rows),
      deadLettered: true,
      skipped: true,
      report: { outcome: "aborted", ...emptySums(), fatal: refused }
    })
    const record = queuedRunOf(summarizeRun(meta, [stopped, skipped(1, 1_000), skipped(2, 500)], refused), running)
    expect(record).toMatchObject({
      outcome: "aborted",
      exitCode: 5,
      fatal: { kind: "auth" },
      counts: { read: 0, accepted: 0 },
      queue: { deadLettered: 3, unread: 2_500 }
    })
  })
})

import { env, runDurableObjectAlarm } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import type { ChunkResult, RunMeta } from "../RunStatus.ts"

const meta = (runId: string): RunMeta => ({
  runId,
  sync: "track E",
  source: `json request ${runId}`,
  endpoint: "http://127.0.0.1:1/v1/batch",
  format: "json",
  rows: 20,
  chunks: 2,
  startedAt: new Date().toISOString()
})

const result = (chunk: number, accepted: number): ChunkResult => ({
  chunk,
  firstRow: chunk * 10 + 1,
  rows: 10,
  attempts: 1,
  deadLettered: false,
  skipped: false,
  finishedAt: new Date().toISOString(),
  report: {
    outcome: "completed",
    rows: { read: 10, mapped: 10, rejected: 0, skipped: 0 },
    messages: { built: 10, sent: 10, accepted, refused: 0, undelivered: 10 - accepted },
    batches: { accepted: 1, refused: 0, undelivered: 0, planned: 0, requests: 1, retries: 0 },
    bytesSent: 10,
    rejects: { total: 0, byStage: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }, sample: [] }
  }
})

describe("RunState (Durable Object)", () => {
  it("records a chunk delivered twice once: the second record replaces the first", async () => {
    const runId = crypto.randomUUID()
    const state = env.RUN_STATE.get(env.RUN_STATE.idFromName(runId))
    await state.start(meta(runId), 3_600_000)
    await state.record(result(0, 7))
    await state.record(result(0, 10))
    expect(await state.status()).toMatchObject({ state: "running", chunks: { done: 1 }, messages: { accepted: 10 } })
    await state.record(result(1, 10))
    expect(await state.status()).toMatchObject({ state: "done", outcome: "completed", messages: { accepted: 20 } })
  })

  it("keeps the first fatal error, knows no run it was not told of, and forgets a run at its alarm", async () => {
    const runId = crypto.randomUUID()
    const state = env.RUN_STATE.get(env.RUN_STATE.idFromName(runId))
    expect(await state.status()).toBeUndefined()
    await state.record(result(0, 10))
    expect(await state.status()).toBeUndefined()
    await state.start(meta(runId), 3_600_000)
    await state.abort({ kind: "auth", message: "first" })
    await state.abort({ kind: "internal", message: "second" })
    expect(await state.fatal()).toEqual({ kind: "auth", message: "first" })
    expect(await runDurableObjectAlarm(state)).toBe(true)
    expect(await state.status()).toBeUndefined()
  })

  it("spaces the requests of every consumer of a run on one schedule at the rate asked", async () => {
    const state = env.RUN_STATE.get(env.RUN_STATE.idFromName(crypto.randomUUID()))
    const asked = Date.now()
    // Ten consumers ask at once at 10 requests per second: one slot every 100 ms, in turn.
    const waits = (await Promise.all(Array.from({ length: 10 }, () => state.reserveRequest(10)))).sort((a, b) => a - b)
    const late = Date.now() - asked
    waits.forEach((wait, slot) => {
      expect(wait).toBeGreaterThanOrEqual(slot * 100 - late)
      expect(wait).toBeLessThanOrEqual(slot * 100)
    })
    // Another run has a schedule of its own; no rate, no wait.
    const other = env.RUN_STATE.get(env.RUN_STATE.idFromName(crypto.randomUUID()))
    expect(await other.reserveRequest(10)).toBe(0)
    expect(await state.reserveRequest(0)).toBe(0)
  })
})

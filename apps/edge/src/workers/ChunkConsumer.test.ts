import { SELF } from "cloudflare:test"
import { describe, expect, inject, it } from "vitest"
import { auth, deadLettersOf, runRequest, waitForRun } from "../testing/edgeClient.ts"
import { scoreCsv, scoreRows } from "../testing/rows.ts"
import { setSinkFaults, sinkDelta, sinkStats } from "../testing/sinkClient.ts"
import { TestWriteKeys } from "../testing/sinkSetup.ts"

const sinkUrl = inject("sinkUrl")
const uniqueSpec = (name: string) => ({
  name: `${name}-${crypto.randomUUID()}`,
  event: "Sales Prediction",
  customerId: "customer_id"
})

/** Every row in exactly one place, and every message too. */
const expectAccounted = (status: any) => {
  expect(status.rows.total).toBe(status.rows.read + status.rows.unread)
  expect(status.rows.read).toBe(status.rows.mapped + status.rows.rejected + status.rows.skipped)
  expect(status.rows.pending).toBe(0)
  expect(status.messages.built).toBe(status.messages.accepted + status.messages.refused + status.messages.undelivered)
  expect(status.chunks.pending).toBe(0)
}

describe("queued runs in workerd (Cloudflare Queues + a Durable Object per run)", () => {
  it("delivers a 100,000-row run through the queue, every row accounted for, once per messageId", async () => {
    const before = await sinkStats(sinkUrl)
    const response = await SELF.fetch(runRequest({ spec: uniqueSpec("queue-100k"), options: { batchCount: 500 }, rows: scoreRows(100_000) }))
    expect(response.status).toBe(202)
    const accepted = (await response.json()) as any
    expect(response.headers.get("location")).toBe(`/v1/runs/${accepted.runId}`)
    expect(accepted).toMatchObject({ state: "queued", rows: 100_000, chunks: 100 })

    const status = await waitForRun(accepted.runId)
    expect(status).toMatchObject({
      state: "done",
      outcome: "completed",
      chunks: { total: 100, done: 100, pending: 0, deadLettered: 0 },
      rows: { total: 100_000, read: 100_000, mapped: 100_000, rejected: 0, unread: 0, pending: 0 },
      messages: { built: 100_000, sent: 100_000, accepted: 100_000, refused: 0, undelivered: 0 }
    })
    expectAccounted(status)
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta).toEqual({ messagesAccepted: 100_000, uniqueMessageIds: 100_000, duplicateMessageIds: 0, droppedMessages: 0 })
  }, 120_000)

  it("queues a CSV run with mode=queue and a per-request write key (sealed on the queue)", async () => {
    const lines = scoreCsv(2_500).split("\n")
    lines[1_500] = "c-1500,0.1"
    const before = await sinkStats(sinkUrl)
    const response = await SELF.fetch("http://edge.test/v1/runs?mode=queue", {
      method: "POST",
      headers: {
        ...auth,
        "content-type": "text/csv",
        "x-tablecast-spec": JSON.stringify(uniqueSpec("queue-csv")),
        "x-segment-write-key": TestWriteKeys[1]
      },
      body: lines.join("\n")
    })
    expect(response.status).toBe(202)
    const { runId, chunks } = (await response.json()) as any
    expect(chunks).toBe(3)
    const status = await waitForRun(runId)
    expect(status).toMatchObject({
      outcome: "completed",
      rows: { total: 2_500, read: 2_500, mapped: 2_499, rejected: 1 },
      messages: { accepted: 2_499 },
      rejects: { total: 1, sample: [expect.objectContaining({ row: 1_500, stage: "source" })] }
    })
    expectAccounted(status)
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta).toEqual({ messagesAccepted: 2_499, uniqueMessageIds: 2_499, duplicateMessageIds: 0, droppedMessages: 0 })
  }, 60_000)

  it("retries chunks the receiver will not take, then keeps them in the dead-letter queue", async () => {
    await setSinkFaults(sinkUrl, { down: true })
    let runId: string
    try {
      const response = await SELF.fetch(
        runRequest({ spec: uniqueSpec("queue-down"), options: { maxAttempts: 1 }, rows: scoreRows(2_100) }, {}, "?mode=queue")
      )
      expect(response.status).toBe(202)
      runId = ((await response.json()) as any).runId
      const status = await waitForRun(runId)
      expect(status).toMatchObject({
        state: "done",
        outcome: "incomplete",
        chunks: { total: 3, done: 3, deadLettered: 3 },
        rows: { total: 2_100, read: 2_100, mapped: 2_100, unread: 0 },
        messages: { built: 2_100, accepted: 0, undelivered: 2_100 }
      })
      expectAccounted(status)
    } finally {
      await setSinkFaults(sinkUrl, { down: false })
    }
    // Each chunk was delivered CHUNK_MAX_ATTEMPTS (3) times before it was dead-lettered.
    let letters: Array<any> = []
    for (let i = 0; i < 50 && letters.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      letters = await deadLettersOf(runId)
    }
    expect(letters.map((letter) => letter.chunk.chunk).sort()).toEqual([0, 1, 2])
    expect(letters.every((letter) => letter.attempts === 3)).toBe(true)
    expect(letters[0].reason).toMatch(/undelivered after 3 deliveries/)
    expect(letters.reduce((rows, letter) => rows + letter.chunk.rows.length, 0)).toBe(2_100)
  }, 60_000)

  it("stops a run whose write key is refused: the rest is dead-lettered unsent, the key nowhere in clear", async () => {
    const wrongKey = "wrong-queued-write-key-77ab"
    const before = await sinkStats(sinkUrl)
    const response = await SELF.fetch(
      runRequest({ spec: uniqueSpec("queue-bad-key"), rows: scoreRows(3_000) }, { "x-segment-write-key": wrongKey }, "?mode=queue")
    )
    expect(response.status).toBe(202)
    const { runId } = (await response.json()) as any
    const status = await waitForRun(runId)
    expect(status).toMatchObject({
      state: "done",
      outcome: "aborted",
      fatal: { kind: "auth" },
      chunks: { total: 3, done: 3, deadLettered: 3 },
      messages: { accepted: 0 }
    })
    expectAccounted(status)
    expect(JSON.stringify(status)).not.toContain(wrongKey)
    expect((await sinkStats(sinkUrl)).messagesAccepted).toBe(before.messagesAccepted)
    let letters: Array<any> = []
    for (let i = 0; i < 50 && letters.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      letters = await deadLettersOf(runId)
    }
    expect(letters).toHaveLength(3)
    expect(JSON.stringify(letters)).not.toContain(wrongKey)
    expect(letters[0].chunk.writeKey).toMatchObject({ v: 1, sealed: expect.any(String) })
  }, 60_000)
})

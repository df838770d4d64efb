import { env, SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import type { DoneEdgeRun } from "../history/EdgeRunEntry.ts"
import { allRuns, auth, listRuns, runRequest, waitForHistory, waitForRun } from "../testing/edgeClient.ts"
import { scoreRows } from "../testing/rows.ts"
import { TestWriteKeys } from "../testing/sinkSetup.ts"

const uniqueSpec = (name: string) => ({ name: `${name}-${crypto.randomUUID()}`, event: "Sales Prediction", customerId: "customer_id" })

const post = async (body: unknown, headers: Record<string, string> = {}, query = ""): Promise<{ status: number; body: any }> => {
  const response = await SELF.fetch(runRequest(body, headers, query))
  return { status: response.status, body: await response.json() }
}

describe("the run history in Durable Object storage, GET /v1/runs (workerd)", () => {
  it("records every run, synchronous and queued, and lists them newest first with their records", async () => {
    const first = await post({ spec: uniqueSpec("history-first"), rows: scoreRows(40) })
    const rejecting = await post({ spec: uniqueSpec("history-rejects"), rows: [...scoreRows(10), { iphone: 0.2 }] })
    const refused = await post({ spec: uniqueSpec("history-bad-key"), rows: scoreRows(5) }, { "x-segment-write-key": "wrong-key-77aa01" })
    const queued = await post(
      { spec: uniqueSpec("history-queued"), options: { batchCount: 100 }, rows: scoreRows(2_500) },
      { "x-segment-write-key": TestWriteKeys[1] },
      "?mode=queue"
    )
    expect([first.status, rejecting.status, refused.status, queued.status]).toEqual([200, 200, 502, 202])

    // Listed at once, while it is delivered: a queued run is "running" with what was known when it was accepted.
    const early = (await listRuns("?limit=200")).runs.find((run) => run.runId === queued.body.runId)
    expect(early).toMatchObject({ mode: "queue", trigger: "edge", sync: expect.stringContaining("history-queued") })
    expect(early.queue).toMatchObject({ chunks: 3, rows: 2_500 })

    await waitForRun(queued.body.runId)
    const queuedRun = await waitForHistory(queued.body.runId)
    const runs = await allRuns()
    const ours = [first, rejecting, refused, queued].map((run) => runs.findIndex((entry) => entry.runId === run.body.runId))
    // Newest first: the order they started in, reversed.
    expect(ours.every((index) => index >= 0)).toBe(true)
    expect([...ours].sort((a, b) => b - a)).toEqual(ours)

    const byId = (runId: string) => runs.find((entry) => entry.runId === runId) as DoneEdgeRun
    expect(byId(first.body.runId)).toMatchObject({
      version: 1,
      state: "done",
      mode: "sync",
      trigger: "edge",
      outcome: "completed",
      exitCode: 0,
      counts: { read: 40, mapped: 40, rejected: 0, accepted: 40, refused: 0, undelivered: 0 },
      settings: { mode: "sync", format: "json" }
    })
    expect(byId(first.body.runId).requests.total).toBe(first.body.batches.requests)
    expect(byId(first.body.runId).startedAt).toBe(first.body.startedAt)
    expect(byId(rejecting.body.runId)).toMatchObject({ outcome: "completed", exitCode: 3, counts: { read: 11, rejected: 1, accepted: 10 } })
    expect(byId(refused.body.runId)).toMatchObject({ outcome: "aborted", exitCode: 5, fatal: { kind: "auth" } })
    expect(queuedRun).toMatchObject({
      mode: "queue",
      outcome: "completed",
      exitCode: 0,
      counts: { read: 2_500, mapped: 2_500, accepted: 2_500, undelivered: 0 },
      requests: { total: 25 },
      queue: { chunks: 3, deadLettered: 0, rows: 2_500, unread: 0 },
      settings: { mode: "queue", format: "json", batchCount: 100 }
    })
    // Never a key or a row value in the history.
    const text = JSON.stringify(runs)
    expect(text).not.toContain("wrong-key-77aa01")
    expect(text).not.toContain(TestWriteKeys[1])
    expect(text).not.toContain("c-17")
  }, 60_000)

  it("pages through the history with limit and nextCursor, every run once, newest first", async () => {
    for (let index = 0; index < 3; index++) expect((await post({ spec: uniqueSpec("history-page"), rows: scoreRows(3) })).status).toBe(200)
    const whole = await allRuns(200)
    const paged = await allRuns(2)
    expect(paged.map((run) => run.id)).toEqual(whole.map((run) => run.id))
    expect(new Set(paged.map((run) => run.id)).size).toBe(paged.length)
    expect(paged.map((run) => run.id)).toEqual([...paged.map((run) => run.id)].sort().reverse())
    const firstPage = await listRuns("?limit=2")
    expect(firstPage.runs).toHaveLength(2)
    expect(firstPage.nextCursor).toBe(firstPage.runs[1].id)
  })

  it("needs the bearer token, and names a bad limit or cursor", async () => {
    expect((await SELF.fetch("http://edge.test/v1/runs")).status).toBe(401)
    for (const [query, field] of [
      ["?limit=0", "limit"],
      ["?limit=201", "limit"],
      ["?limit=ten", "limit"],
      ["?cursor=run:1", "cursor"]
    ] as const) {
      const response = await SELF.fetch(`http://edge.test/v1/runs${query}`, { headers: auth })
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ field })
    }
  })

  it("keeps the newest runs within the retention, and does not bring back a run it dropped", async () => {
    // Its own object, so the deployment's history is not touched.
    const store = env.RUN_HISTORY.get(env.RUN_HISTORY.idFromName(`retention-${crypto.randomUUID()}`))
    const runAt = (startedAt: string, n: number) =>
      ({
        id: `${startedAt.replace(/[-:.]/g, "")}-00000${n}`,
        runId: crypto.randomUUID(),
        mode: "queue",
        state: "running",
        sync: `s${n}`,
        trigger: "edge",
        source: "json request",
        endpoint: "http://127.0.0.1/v1/batch",
        startedAt,
        dryRun: false,
        settings: {},
        queue: { chunks: 1, rows: 1 }
      }) as const
    const now = Date.now()
    const runs = [1, 2, 3, 4, 5].map((n) => runAt(new Date(now - (10 - n) * 60_000).toISOString(), n))
    for (const run of runs) await store.add(run, { maxRuns: 3, maxAgeDays: 90 })
    expect(await store.size()).toBe(3)
    expect((await store.list({ limit: 10 })).runs.map((run) => run.sync)).toEqual(["s5", "s4", "s3"])

    // Older than the age bound: dropped as soon as it is added.
    await store.add(runAt(new Date(now - 91 * 86_400_000).toISOString(), 6), { maxRuns: 3, maxAgeDays: 90 })
    expect((await store.list({ limit: 10 })).runs.map((run) => run.sync)).toEqual(["s5", "s4", "s3"])
    // A dropped run finishing later stays dropped; a kept one is replaced.
    await store.finish({ ...runs[0]!, sync: "s1-done" })
    await store.finish({ ...runs[4]!, sync: "s5-done" })
    expect((await store.list({ limit: 10 })).runs.map((run) => run.sync)).toEqual(["s5-done", "s4", "s3"])
    expect(await store.size()).toBe(3)
  })
})

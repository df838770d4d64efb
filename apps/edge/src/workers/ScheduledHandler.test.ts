import { createScheduledController, env } from "cloudflare:test"
import { afterEach, describe, expect, inject, it, vi } from "vitest"
import { waitForHistory, waitForRun } from "../testing/edgeClient.ts"
import { RowsServerAuthorization } from "../testing/rowsServer.ts"
import { sinkDelta, sinkStats } from "../testing/sinkClient.ts"
import { TestWriteKeys } from "../testing/sinkSetup.ts"
import worker from "../worker.ts"

const sinkUrl = inject("sinkUrl")
const rowsUrl = inject("rowsUrl")
const spec = { event: "Sales Prediction", customerId: "customer_id" }

/** Fires the Cron Trigger with `SCHEDULED_RUNS` (and any secrets) set; answers its log lines and whether it threw. */
const fire = async (cron: string, scheduledRuns: unknown, vars: Record<string, unknown> = {}) => {
  const lines: Array<string> = []
  vi.spyOn(console, "log").mockImplementation((line: unknown) => {
    lines.push(String(line))
  })
  let thrown: unknown
  try {
    await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), {
      ...env,
      ...vars,
      SCHEDULED_RUNS: scheduledRuns,
      LOG_LEVEL: "info"
    })
  } catch (error) {
    thrown = error
  }
  vi.restoreAllMocks()
  return { logs: lines.map((line) => JSON.parse(line) as Record<string, any>), text: lines.join("\n"), thrown }
}

const queuedRunId = (logs: ReadonlyArray<Record<string, any>>, name: string): string => {
  const line = logs.find((entry) => entry.event === "scheduled.queued" && entry.name === name)
  if (line === undefined) throw new Error(`no scheduled.queued line for ${name}: ${JSON.stringify(logs)}`)
  return line.runId
}

const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`

afterEach(() => {
  vi.restoreAllMocks()
})

describe("the Cron Trigger starts configured runs from a URL, queued (workerd)", () => {
  it("fetches a CSV document, queues its rows and delivers them once per messageId, a broken line rejected by its row number", async () => {
    const name = unique("csv-daily")
    const before = await sinkStats(sinkUrl)
    const fired = await fire("15 6 * * *", [
      { name, cron: "15 6 * * *", url: `${rowsUrl}/scores.csv?rows=2500&broken=1700&token=query-secret-1`, spec }
    ])
    expect(fired.thrown).toBeUndefined()
    const runId = queuedRunId(fired.logs, name)
    expect(fired.logs.find((entry) => entry.event === "scheduled.queued")).toMatchObject({ rows: 2_500, chunks: 3 })

    const status = await waitForRun(runId)
    expect(status).toMatchObject({
      state: "done",
      outcome: "completed",
      sync: name,
      rows: { total: 2_500, read: 2_500, mapped: 2_499, rejected: 1, unread: 0, pending: 0 },
      messages: { accepted: 2_499, undelivered: 0 },
      rejects: { total: 1, sample: [expect.objectContaining({ row: 1_700, stage: "source" })] }
    })
    // Where the rows came from, without the URL's query (it may hold a signature).
    expect(status.source).toBe(`csv from ${rowsUrl}/scores.csv (scheduled run ${name})`)
    expect(JSON.stringify(status)).not.toContain("query-secret-1")
    expect(fired.text).not.toContain("query-secret-1")
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta).toEqual({ messagesAccepted: 2_499, uniqueMessageIds: 2_499, duplicateMessageIds: 0, droppedMessages: 0 })
    // In the run history as started by the Cron Trigger.
    expect(await waitForHistory(runId)).toMatchObject({
      trigger: "cron",
      mode: "queue",
      sync: name,
      source: status.source,
      outcome: "completed",
      exitCode: 3,
      counts: { read: 2_500, rejected: 1, accepted: 2_499 },
      queue: { chunks: 3, rows: 2_500, unread: 0 }
    })
  }, 60_000)

  it("starts only the runs of the cron that fired, reads a JSON array with a secret Authorization and write key", async () => {
    const jsonRun = unique("json-hourly")
    const otherRun = unique("other-cron")
    const before = await sinkStats(sinkUrl)
    const fired = await fire(
      "0 * * * *",
      JSON.stringify([
        {
          name: jsonRun,
          cron: "0 * * * *",
          url: `${rowsUrl}/private/scores.json?rows=1200`,
          authorizationSecret: "ROWS_AUTHORIZATION",
          writeKeySecret: "HOURLY_WRITE_KEY",
          spec,
          options: { batchCount: 200 }
        },
        { name: otherRun, cron: "15 6 * * *", url: `${rowsUrl}/scores.csv?rows=10`, spec }
      ]),
      { ROWS_AUTHORIZATION: RowsServerAuthorization, HOURLY_WRITE_KEY: TestWriteKeys[1] }
    )
    expect(fired.thrown).toBeUndefined()
    expect(fired.logs.some((entry) => entry.name === otherRun)).toBe(false)
    const status = await waitForRun(queuedRunId(fired.logs, jsonRun))
    expect(status).toMatchObject({ outcome: "completed", rows: { total: 1_200, read: 1_200, mapped: 1_200 }, messages: { accepted: 1_200 } })
    expect(status.batches.requests).toBe(6)
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta.uniqueMessageIds).toBe(1_200)
    expect(fired.text).not.toContain(RowsServerAuthorization)
    expect(fired.text).not.toContain(TestWriteKeys[1])
  }, 60_000)

  it("a run whose URL fails is logged and fails the trigger; the other runs of the trigger still start", async () => {
    const good = unique("good")
    const cases = [
      { name: unique("missing"), url: `${rowsUrl}/missing.csv`, says: "answered 404" },
      { name: unique("unauthorized"), url: `${rowsUrl}/private/scores.json?rows=5`, says: "answered 401" },
      { name: unique("no-format"), url: `${rowsUrl}/plain.txt`, says: 'set "format"' },
      { name: unique("not-rows"), url: `${rowsUrl}/not-rows.json`, says: "rows.0: a row must be a JSON object" },
      { name: unique("unreachable"), url: "http://127.0.0.1:1/rows.csv", says: "could not be fetched" },
      { name: unique("too-many"), url: `${rowsUrl}/scores.json?rows=101`, says: "limit of 100 rows" }
    ]
    const fired = await fire(
      "*/5 * * * *",
      [...cases.map(({ name, url }) => ({ name, url, spec })), { name: good, url: `${rowsUrl}/scores.csv?rows=20`, spec }],
      { MAX_ROWS: "100" }
    )
    expect(String(fired.thrown)).toContain("scheduled runs not started")
    for (const { name, says } of cases) {
      const failed = fired.logs.find((entry) => entry.event === "scheduled.failed" && entry.name === name)
      expect(failed?.message).toContain(says)
    }
    const status = await waitForRun(queuedRunId(fired.logs, good))
    expect(status).toMatchObject({ outcome: "completed", messages: { accepted: 20 } })
  }, 60_000)

  it("refuses SCHEDULED_RUNS that do not check, naming the entry and field, and a spec the CSV cannot fill", async () => {
    const bad = await fire("0 0 * * *", [
      { name: "no url", spec },
      { name: "x", url: "http://user:pw@127.0.0.1/a.csv", spec }
    ])
    expect(bad.thrown).toBeDefined()
    const line = bad.logs.find((entry) => entry.event === "scheduled.misconfigured")
    expect(line?.message).toContain("SCHEDULED_RUNS[0].name")
    expect(line?.message).toContain("SCHEDULED_RUNS[0].url: give url or urlSecret")
    expect(line?.message).toContain("SCHEDULED_RUNS[1].url: no credentials")
    expect(bad.text).not.toContain("user:pw")

    const name = unique("wrong-column")
    const missing = await fire("0 0 * * *", [{ name, url: `${rowsUrl}/scores.csv?rows=5`, spec: { event: "E", customerId: "user_id" } }])
    expect(missing.thrown).toBeDefined()
    const failed = missing.logs.find((entry) => entry.event === "scheduled.failed")
    expect(failed).toMatchObject({ name })
    expect(failed?.message).toContain("user_id")
  })
})

import { createScheduledController, env, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test"
import worker from "../worker.ts"
import * as Redacted from "effect/Redacted"
import type { ChunkResult, RunMeta, RunStatus } from "../RunStatus.ts"
import { sealWriteKey } from "../WriteKeySeal.ts"
import { describe, expect, inject, it } from "vitest"
import { callWorker, runRequest, waitForRun } from "../testing/edgeClient.ts"
import { scoreRows } from "../testing/rows.ts"
import { setSinkFaults } from "../testing/sinkClient.ts"
import { TestWriteKeys } from "../testing/sinkSetup.ts"

const sinkUrl = inject("sinkUrl")
const webhookUrl = inject("webhookUrl")
const webhookDownUrl = inject("webhookDownUrl")
const rowsUrl = inject("rowsUrl")

const uniqueSpec = (name: string) => ({ name: `${name}-${crypto.randomUUID()}`, event: "Sales Prediction", customerId: "customer_id" })

/** A webhook of the receiver of its own, so a test reads only its alerts. */
const hook = (route: "hook" | "flaky" = "hook") => {
  const name = crypto.randomUUID()
  return { name, url: `${webhookUrl}/${route}/${name}` }
}

/** What the receiver took for a webhook: the bodies, and how many attempts came. */
const received = async (name: string): Promise<{ bodies: Array<any>; attempts: number }> =>
  (await (await fetch(`${webhookUrl}/received/${name}`)).json()) as { bodies: Array<any>; attempts: number }

const notifyHeader = (settings: Record<string, unknown>) => ({ "x-tablecast-notify": JSON.stringify(settings) })

/** Starts a queued run and waits until its alert is settled (sent, or given up); gives the run's status. */
const queuedRunAlerting = async (body: unknown, headers: Record<string, string>): Promise<any> => {
  const response = await SELF.fetch(runRequest(body, headers, "?mode=queue"))
  expect(response.status).toBe(202)
  const { runId } = (await response.json()) as { runId: string }
  let status = await waitForRun(runId)
  for (let i = 0; i < 150 && (status.alert === undefined || status.alert.state === "sending"); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    status = await waitForRun(runId)
  }
  return status
}

describe("alerts of queued runs (workerd, a local webhook receiver)", () => {
  it("success: the generic JSON alert with the run's counts and exit code, once", async () => {
    const webhook = hook()
    const spec = uniqueSpec("alert-success")
    const status = await queuedRunAlerting({ spec, rows: scoreRows(1_500) }, notifyHeader({ url: webhook.url, on: ["success"], format: "json" }))
    expect(status).toMatchObject({ outcome: "completed", alert: { trigger: "success", sent: true, attempts: 1 } })
    const { bodies } = await received(webhook.name)
    expect(bodies).toHaveLength(1)
    expect(bodies[0]).toMatchObject({
      type: "tablecast.run.alert",
      trigger: "success",
      sync: spec.name,
      outcome: "completed",
      exitCode: 0,
      counts: { read: status.rows.read, accepted: status.messages.accepted, rejected: 0, undelivered: 0 }
    })
  }, 60_000)

  it("rejects over the threshold: Slack's payload, exit 3", async () => {
    const webhook = hook()
    const rows = [...scoreRows(1_200), { iphone: 0.2 }, { iphone: 0.3 }]
    const status = await queuedRunAlerting({ spec: uniqueSpec("alert-rejects"), rows }, notifyHeader({ url: webhook.url, rejectsOver: 1 }))
    expect(status).toMatchObject({ outcome: "completed", rows: { rejected: 2 }, alert: { trigger: "rejects", sent: true } })
    const [body] = (await received(webhook.name)).bodies
    expect(body.text).toContain("rejected rows over the threshold — exit 3")
    expect(body.blocks[1].fields.map((field: { text: string }) => field.text)).toContain("*Rejected*\n2")
  }, 60_000)

  it("failure: a refused write key stops the run (exit 5); the alert holds no key", async () => {
    const webhook = hook()
    const status = await queuedRunAlerting(
      { spec: uniqueSpec("alert-failure"), rows: scoreRows(1_100) },
      { ...notifyHeader({ url: webhook.url, format: "json" }), "x-segment-write-key": "wrong-key-5a7e21" }
    )
    expect(status).toMatchObject({ outcome: "aborted", alert: { trigger: "failure", sent: true } })
    const [body] = (await received(webhook.name)).bodies
    expect(body).toMatchObject({ trigger: "failure", outcome: "aborted", exitCode: 5, reason: { kind: "auth" } })
    expect(JSON.stringify(body)).not.toContain("wrong-key-5a7e21")
  }, 60_000)

  it("incomplete: batches the receiver never took (exit 4)", async () => {
    const webhook = hook()
    await setSinkFaults(sinkUrl, { down: true })
    let status: any
    try {
      status = await queuedRunAlerting(
        { spec: uniqueSpec("alert-incomplete"), options: { maxAttempts: 1 }, rows: scoreRows(1_100) },
        notifyHeader({ url: webhook.url, format: "json" })
      )
    } finally {
      await setSinkFaults(sinkUrl, { down: false })
    }
    expect(status).toMatchObject({ outcome: "incomplete", alert: { trigger: "incomplete", sent: true } })
    const [body] = (await received(webhook.name)).bodies
    expect(body).toMatchObject({ trigger: "incomplete", exitCode: 4, counts: { undelivered: status.messages.undelivered } })
  }, 90_000)

  it("a webhook answering 500 is tried again; the run is untouched by it", async () => {
    const webhook = hook("flaky")
    const status = await queuedRunAlerting(
      { spec: uniqueSpec("alert-flaky"), rows: scoreRows(1_100) },
      notifyHeader({ url: webhook.url, on: ["success"] })
    )
    expect(status).toMatchObject({ outcome: "completed", alert: { trigger: "success", sent: true, attempts: 2 } })
    expect(await received(webhook.name)).toMatchObject({ attempts: 2, bodies: [expect.objectContaining({ text: expect.any(String) })] })
  }, 60_000)

  it("a webhook that is down: given up after its retries, the run still completed and its status says why", async () => {
    const status = await queuedRunAlerting(
      { spec: uniqueSpec("alert-down"), rows: scoreRows(1_100) },
      { ...notifyHeader({ url: webhookDownUrl, on: ["success"] }), "x-segment-write-key": TestWriteKeys[1] }
    )
    expect(status).toMatchObject({ state: "done", outcome: "completed", messages: { accepted: 1_100 } })
    expect(status.alert).toMatchObject({ trigger: "success", sent: false })
    expect(status.alert.attempts).toBeGreaterThan(1)
    expect(JSON.stringify(status)).not.toContain(webhookDownUrl)
  }, 60_000)

  it("no trigger fired: no alert, and the status says nothing of one", async () => {
    const webhook = hook()
    const response = await SELF.fetch(
      runRequest({ spec: uniqueSpec("alert-quiet"), rows: scoreRows(1_100) }, notifyHeader({ url: webhook.url }), "?mode=queue")
    )
    // The alert is decided in the same call that records the last chunk: a done run without one has none.
    const status = await waitForRun(((await response.json()) as { runId: string }).runId)
    expect(status.outcome).toBe("completed")
    expect(status.alert).toBeUndefined()
    expect((await received(webhook.name)).attempts).toBe(0)
  }, 60_000)
})

describe("alert settings of a request and a deployment", () => {
  it("a synchronous run alerts too, from the deployment's NOTIFY_* variables", async () => {
    const webhook = hook()
    const response = await callWorker(runRequest({ spec: uniqueSpec("alert-sync"), rows: [...scoreRows(20), { iphone: 0.1 }] }), {
      NOTIFY_URL: webhook.url,
      NOTIFY_REJECTS_OVER: "0",
      NOTIFY_FORMAT: "json"
    })
    expect(response.status).toBe(200)
    // callWorker waits for the work the Worker kept going after its answer (waitUntil).
    const { bodies } = await received(webhook.name)
    expect(bodies).toEqual([expect.objectContaining({ trigger: "rejects", exitCode: 3, counts: expect.objectContaining({ rejected: 1 }) })])
  })

  it("a request may turn the deployment's alert off for itself", async () => {
    const webhook = hook()
    const response = await callWorker(runRequest({ spec: uniqueSpec("alert-off"), rows: scoreRows(5) }, { "x-tablecast-notify": "off" }), {
      NOTIFY_URL: webhook.url,
      NOTIFY_ON: "success"
    })
    expect(response.status).toBe(200)
    expect((await received(webhook.name)).attempts).toBe(0)
  })

  it("a header at fault is a 400 naming the field, and nothing runs", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [notifyHeader({ url: "ftp://hooks.example.test/x" }), "notify.url"],
      [notifyHeader({ on: ["success"] }), "notify.url"],
      [notifyHeader({ url: `${webhookUrl}/hook/x`, on: ["sometimes"] }), "notify.on.0"],
      [{ "x-tablecast-notify": "{not json" }, "header x-tablecast-notify"]
    ]
    for (const [headers, field] of cases) {
      const response = await SELF.fetch(runRequest({ spec: uniqueSpec("alert-bad"), rows: scoreRows(3) }, headers))
      expect(response.status).toBe(400)
      expect(((await response.json()) as { field: string }).field).toBe(field)
    }
  })

  it("a deployment's NOTIFY_URL that is not a webhook stops every request with 503 naming the variable, not its value", async () => {
    const response = await callWorker(runRequest({ spec: uniqueSpec("alert-env"), rows: scoreRows(3) }), {
      NOTIFY_URL: "https://user:secret-pw@hooks.example.test/x"
    })
    expect(response.status).toBe(503)
    const text = await response.text()
    expect(text).toContain("NOTIFY_URL")
    expect(text).not.toContain("secret-pw")
  })
})

describe("RunState's alert (Durable Object)", () => {
  const chunk = (index: number): ChunkResult => ({
    chunk: index,
    firstRow: index * 10 + 1,
    rows: 10,
    attempts: 1,
    deadLettered: false,
    skipped: false,
    finishedAt: new Date().toISOString(),
    report: {
      outcome: "completed",
      rows: { read: 10, mapped: 10, rejected: 0, skipped: 0 },
      messages: { built: 10, sent: 10, accepted: 10, refused: 0, undelivered: 0 },
      batches: { accepted: 1, refused: 0, undelivered: 0, planned: 0, requests: 1, retries: 0 },
      bytesSent: 10,
      rejects: { total: 0, byStage: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }, sample: [] }
    }
  })

  it("is sent once by the alarm, however often the last chunk is recorded; the URL is stored sealed", async () => {
    const webhook = hook()
    const runId = crypto.randomUUID()
    const token = Redacted.make(env.TABLECAST_TOKEN!)
    const meta: RunMeta = {
      runId,
      sync: "alert-once",
      source: `json request ${runId}`,
      endpoint: "http://127.0.0.1:1/v1/batch",
      format: "json",
      rows: 20,
      chunks: 2,
      startedAt: new Date().toISOString(),
      notify: {
        url: await sealWriteKey(Redacted.make(webhook.url), token, runId, "webhook-url-seal/v1"),
        on: ["success"],
        rejectsOver: 0,
        format: "json"
      }
    }
    const state = env.RUN_STATE.get(env.RUN_STATE.idFromName(runId))
    // The stub's RPC types make RunStatus opaque (`never`): read it as the object answers it.
    const statusOf = async () => (await state.status()) as RunStatus | undefined
    await state.start(meta, 3_600_000)
    await state.record(chunk(0))
    await state.record(chunk(1))
    expect((await statusOf())?.alert).toEqual({ trigger: "success", state: "sending" })
    expect(await runDurableObjectAlarm(state)).toBe(true)
    expect((await statusOf())?.alert).toEqual({ trigger: "success", sent: true, status: 200, attempts: 1 })
    // A redelivered last chunk records the run again, but does not alert again.
    await state.record(chunk(1))
    expect((await statusOf())?.alert).toMatchObject({ sent: true })
    const stored = await runInDurableObject(state, async (_object, ctx) => JSON.stringify([...(await ctx.storage.list()).entries()]))
    expect(stored).toContain("notify")
    expect(stored).not.toContain(webhook.name)
    // The alarm left is the run's expiry: it forgets the run, and sends nothing.
    await runDurableObjectAlarm(state)
    expect(await statusOf()).toBeUndefined()
    expect((await received(webhook.name)).bodies).toEqual([expect.objectContaining({ trigger: "success", sync: "alert-once" })])
  })
})

describe("alerts of scheduled runs (workerd)", () => {
  it("a run that cannot start alerts at once (exit 6); a started one alerts when done, both from NOTIFY_*", async () => {
    const webhook = hook()
    const started = `alert-cron-${crypto.randomUUID().slice(0, 8)}`
    const broken = `alert-cron-broken-${crypto.randomUUID().slice(0, 8)}`
    const spec = { event: "Sales Prediction", customerId: "customer_id" }
    const scheduled = worker.scheduled(createScheduledController({ cron: "0 5 * * *", scheduledTime: Date.now() }), {
      ...env,
      LOG_LEVEL: "silent",
      NOTIFY_URL: webhook.url,
      NOTIFY_ON: "failure,success",
      NOTIFY_FORMAT: "json",
      SCHEDULED_RUNS: [
        { name: started, url: `${rowsUrl}/scores.json?rows=1200`, spec },
        { name: broken, url: `${rowsUrl}/no-such-document.csv`, spec }
      ]
    })
    // The trigger is marked failed (one run did not start), after its alert went.
    await expect(scheduled).rejects.toThrow(broken)
    expect((await received(webhook.name)).bodies).toEqual([
      expect.objectContaining({
        trigger: "failure",
        sync: broken,
        outcome: "failed",
        exitCode: 6,
        reason: expect.objectContaining({ kind: "start" })
      })
    ])
    let bodies: Array<any> = []
    for (let i = 0; i < 150 && bodies.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      bodies = (await received(webhook.name)).bodies
    }
    expect(bodies[1]).toMatchObject({ trigger: "success", sync: started, outcome: "completed", exitCode: 0, counts: { read: 1_200 } })
  }, 60_000)
})

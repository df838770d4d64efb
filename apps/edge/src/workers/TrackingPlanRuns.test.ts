import { createScheduledController, env, SELF } from "cloudflare:test"
import { describe, expect, inject, it, vi } from "vitest"
import { callWorker, runRequest, waitForRun } from "../testing/edgeClient.ts"
import { scoreRows } from "../testing/rows.ts"
import { sinkDelta, sinkMessages, sinkStats } from "../testing/sinkClient.ts"
import worker from "../worker.ts"

const sinkUrl = inject("sinkUrl")
const rowsUrl = inject("rowsUrl")
const uniqueSpec = (name: string) => ({ name: `${name}-${crypto.randomUUID()}`, event: "Sales Prediction", customerId: "customer_id" })

/** The scores' plan: `segment` must be "high" or "medium", so the rows whose segment is "low" (two in three) break it. */
const plan = {
  rules: [
    {
      type: "TRACK",
      key: "Sales Prediction",
      version: 1,
      jsonSchema: {
        $schema: "http://json-schema.org/draft-07/schema#",
        properties: {
          properties: {
            type: "object",
            properties: { segment: { enum: ["high", "medium"] }, iphone: { type: "number", minimum: 0, maximum: 1 } },
            required: ["segment", "iphone"]
          }
        },
        required: ["properties"]
      }
    },
    { type: "TRACK", key: "Another Event", version: 3, jsonSchema: { properties: { properties: { required: ["x"] } } } }
  ]
}
const rule = 'TRACK "Sales Prediction" v1'
const violation = `properties.segment: must be one of "high", "medium", got string (${rule})`
/** Rows at index 0, 3, 6, ... are "high": they keep the plan. */
const keeping = (count: number): number => Math.ceil(count / 3)

describe("tracking plans on the edge (interpreted in workerd: no code generation)", () => {
  it("reject mode: stops the rows that break the plan, with the rule named, and sends the rest", async () => {
    const before = await sinkStats(sinkUrl)
    const spec = { ...uniqueSpec("plan-reject"), trackingPlan: plan }
    const response = await SELF.fetch(runRequest({ spec, rows: scoreRows(30) }))
    const report = (await response.json()) as any
    expect(report.rows).toMatchObject({ read: 30, mapped: keeping(30), rejected: 30 - keeping(30) })
    expect(report.messages.accepted).toBe(keeping(30))
    expect(report.trackingPlan).toMatchObject({
      plan: "spec.trackingPlan",
      mode: "reject",
      messagesChecked: 30,
      violations: 30 - keeping(30),
      rowsWithViolations: 30 - keeping(30),
      unplannedMessages: 0,
      byRule: { [rule]: 30 - keeping(30) },
      byProperty: { [`properties.segment (${rule})`]: 30 - keeping(30) }
    })
    expect(report.trackingPlan.firstRows[0]).toEqual({ row: 2, violations: [violation] })
    expect(report.rejects.sample[0]).toMatchObject({ row: 2, reason: violation })
    // The edge never echoes a row's value: "low" is the failing value of every rejected row.
    expect(JSON.stringify(report)).not.toContain('"low"')
    expect(sinkDelta(before, await sinkStats(sinkUrl)).messagesAccepted).toBe(keeping(30))
    const sent = (await sinkMessages(sinkUrl)).slice(-keeping(30))
    expect(sent.map((message) => (message.properties as any).segment)).toEqual(Array.from({ length: keeping(30) }, () => "high"))
  })

  it("warn mode: sends every row and counts the violations", async () => {
    const before = await sinkStats(sinkUrl)
    const spec = { ...uniqueSpec("plan-warn"), trackingPlan: plan, trackingPlanMode: "warn" }
    const response = await SELF.fetch(runRequest({ spec, rows: scoreRows(30) }))
    const report = (await response.json()) as any
    expect(response.status).toBe(200)
    expect(report.outcome).toBe("completed")
    expect(report.rows).toMatchObject({ read: 30, mapped: 30, rejected: 0 })
    expect(report.trackingPlan).toMatchObject({ mode: "warn", messagesChecked: 30, violations: 20, rowsWithViolations: 20 })
    expect(report.trackingPlan.firstRows.slice(0, 2)).toEqual([
      { row: 2, violations: [violation] },
      { row: 3, violations: [violation] }
    ])
    expect(sinkDelta(before, await sinkStats(sinkUrl)).messagesAccepted).toBe(30)
  })

  it("counts a track event the plan does not name as unplanned, and sends it", async () => {
    const spec = { ...uniqueSpec("plan-unplanned"), event: "Churn Scored", trackingPlan: plan }
    const report = (await (await SELF.fetch(runRequest({ spec, rows: scoreRows(4) }))).json()) as any
    expect(report.messages.accepted).toBe(4)
    expect(report.trackingPlan).toMatchObject({ violations: 0, unplannedMessages: 4, unplannedEvents: ["Churn Scored"] })
  })

  it("refuses a broken plan with a 400 naming the rule, the field and the keyword", async () => {
    const broken = {
      rules: [plan.rules[0], { type: "TRACK", key: "Other", version: 1, jsonSchema: { properties: { properties: { type: "numbr" } } } }]
    }
    const response = await SELF.fetch(runRequest({ spec: { ...uniqueSpec("plan-broken"), trackingPlan: broken }, rows: scoreRows(2) }))
    expect(response.status).toBe(400)
    const body = (await response.json()) as any
    expect(body.field).toBe("spec.trackingPlan.rules[1].jsonSchema")
    expect(body.message).toContain('tracking plan spec.trackingPlan (rules[1].jsonSchema): TRACK "Other" v1: the rule\'s JSON Schema is not valid')
    expect(body.message).toContain("properties.properties.type")

    const shapeless = await SELF.fetch(
      runRequest({ spec: { ...uniqueSpec("plan-shape"), trackingPlan: { rules: [{ type: "TRACK", version: 1 }] } }, rows: scoreRows(1) })
    )
    expect(shapeless.status).toBe(400)
    expect(((await shapeless.json()) as any).field).toMatch(/^spec\.trackingPlan\.rules\[0\]/)

    const mode = await SELF.fetch(
      runRequest({ spec: { ...uniqueSpec("plan-mode"), trackingPlan: plan, trackingPlanMode: "block" }, rows: scoreRows(1) })
    )
    expect(mode.status).toBe(400)
    expect(await mode.json()).toMatchObject({ field: "spec.trackingPlanMode" })

    const alone = await SELF.fetch(runRequest({ spec: { ...uniqueSpec("plan-alone"), trackingPlanMode: "warn" }, rows: scoreRows(1) }))
    expect(alone.status).toBe(400)
    expect(await alone.json()).toMatchObject({ field: "spec.trackingPlanMode", message: expect.stringContaining("needs a tracking plan") })
  })

  it("checks every run against the deployment's TRACKING_PLAN, in TRACKING_PLAN_MODE, unless the spec brings its own plan", async () => {
    const deployment = { TRACKING_PLAN: JSON.stringify(plan), TRACKING_PLAN_MODE: "warn" }
    const report = (await (await callWorker(runRequest({ spec: uniqueSpec("plan-deployment"), rows: scoreRows(6) }), deployment)).json()) as any
    expect(report.trackingPlan).toMatchObject({ plan: "TRACKING_PLAN", mode: "warn", violations: 4 })
    expect(report.rows.rejected).toBe(0)

    // The spec's mode applies to the deployment's plan.
    const strict = { ...uniqueSpec("plan-deployment-reject"), trackingPlanMode: "reject" }
    const rejected = (await (await callWorker(runRequest({ spec: strict, rows: scoreRows(6) }), deployment)).json()) as any
    expect(rejected.rows.rejected).toBe(4)

    // The spec's own plan replaces the deployment's, in the spec's mode (reject unless it says).
    const lenient = { rules: [{ type: "TRACK", key: "Sales Prediction", version: 7, jsonSchema: {} }] }
    const own = (await (
      await callWorker(runRequest({ spec: { ...uniqueSpec("plan-own"), trackingPlan: lenient }, rows: scoreRows(6) }), deployment)
    ).json()) as any
    expect(own.trackingPlan).toMatchObject({ plan: "spec.trackingPlan", mode: "reject", violations: 0 })
    expect(own.messages.accepted).toBe(6)
  })

  it("answers 503 for a TRACKING_PLAN that cannot be used, and names the variable, the rule and the keyword in the log", async () => {
    const lines: Array<string> = []
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)))
    const response = await callWorker(runRequest({ spec: uniqueSpec("plan-bad-deployment"), rows: scoreRows(1) }), {
      TRACKING_PLAN: { rules: [{ type: "IDENTIFY", jsonSchema: { required: "email" } }] }
    })
    expect(response.status).toBe(503)
    vi.restoreAllMocks()
    const logged = lines.map((line) => JSON.parse(line)).find((line) => line.event === "config.invalid")
    expect(logged.message).toContain("tracking plan TRACKING_PLAN (rules[0].jsonSchema)")
    expect(logged.message).toContain("required: must be array, got string")
  })

  it("queued runs: every chunk is checked against the plan the request was accepted with, the chunks' findings combined", async () => {
    const before = await sinkStats(sinkUrl)
    const spec = { ...uniqueSpec("plan-queue"), trackingPlan: plan }
    const response = await SELF.fetch(runRequest({ spec, rows: scoreRows(2_400) }, {}, "?mode=queue"))
    expect(response.status).toBe(202)
    const accepted = (await response.json()) as any
    expect(accepted.chunks).toBe(3)
    const status = await waitForRun(accepted.runId)
    expect(status).toMatchObject({
      state: "done",
      rows: { total: 2_400, read: 2_400, mapped: keeping(2_400), rejected: 2_400 - keeping(2_400), unread: 0 },
      trackingPlan: {
        plan: "spec.trackingPlan",
        mode: "reject",
        messagesChecked: 2_400,
        violations: 2_400 - keeping(2_400),
        rowsWithViolations: 2_400 - keeping(2_400),
        byRule: { [rule]: 2_400 - keeping(2_400) }
      }
    })
    expect(status.trackingPlan.firstRows.map((row: any) => row.row)).toEqual([
      2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24, 26, 27, 29, 30
    ])
    expect(sinkDelta(before, await sinkStats(sinkUrl)).messagesAccepted).toBe(keeping(2_400))
  }, 120_000)

  it("queued runs: refuses a plan too large to travel with every chunk, with a 413 naming it", async () => {
    const huge = {
      rules: [
        {
          type: "TRACK",
          key: "Sales Prediction",
          version: 1,
          jsonSchema: {
            properties: {
              properties: { properties: Object.fromEntries(Array.from({ length: 3_000 }, (_, index) => [`p${index}`, { type: "string" }])) }
            }
          }
        }
      ]
    }
    const response = await SELF.fetch(
      runRequest({ spec: { ...uniqueSpec("plan-huge"), trackingPlan: huge }, rows: scoreRows(10) }, {}, "?mode=queue")
    )
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ field: "spec.trackingPlan", message: expect.stringContaining("mode=sync") })
  })

  it("scheduled runs: checked against the deployment's plan, which their chunks carry to the consumers", async () => {
    const name = `plan-cron-${crypto.randomUUID().slice(0, 8)}`
    const lines: Array<string> = []
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)))
    await worker.scheduled(createScheduledController({ cron: "15 6 * * *", scheduledTime: Date.now() }), {
      ...env,
      TRACKING_PLAN: plan,
      TRACKING_PLAN_MODE: "warn",
      LOG_LEVEL: "info",
      SCHEDULED_RUNS: [
        { name, cron: "15 6 * * *", url: `${rowsUrl}/scores.csv?rows=300`, spec: { event: "Sales Prediction", customerId: "customer_id" } }
      ]
    })
    vi.restoreAllMocks()
    const queued = lines.map((line) => JSON.parse(line)).find((line) => line.event === "scheduled.queued" && line.name === name)
    const status = await waitForRun(queued.runId)
    expect(status).toMatchObject({
      state: "done",
      rows: { read: 300, rejected: 0 },
      messages: { accepted: 300 },
      trackingPlan: { plan: "TRACKING_PLAN", mode: "warn", messagesChecked: 300, violations: 200, rowsWithViolations: 200 }
    })
  }, 120_000)
})

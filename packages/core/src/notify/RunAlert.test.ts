import { assert, describe, it } from "vitest"
import type { DeliveryReport } from "../report/DeliveryReport.ts"
import { alertBody, slackPayload } from "./AlertPayload.ts"
import { triggersOf, webhookOrigin, webhookUrlProblem } from "./AlertSettings.ts"
import { alertOfReport, alertOfStartFailure, triggerOf } from "./RunAlert.ts"

const report = (patch: Partial<DeliveryReport> & { readonly rejected?: number } = {}): DeliveryReport => ({
  outcome: "completed",
  dryRun: false,
  sync: "churn-scores",
  source: "scores.csv",
  endpoint: "http://127.0.0.1:14318",
  startedAt: "2026-12-07T16:00:00.000Z",
  finishedAt: "2026-12-07T16:00:12.000Z",
  durationMillis: 12_345,
  rows: { read: 1_000, mapped: 1_000 - (patch.rejected ?? 0), rejected: patch.rejected ?? 0, skipped: 0 },
  messages: { built: 1_000, sent: 1_000, accepted: 1_000, refused: 0, undelivered: 0 },
  batches: { accepted: 10, refused: 0, undelivered: 0, planned: 0, requests: 10, retries: 0 },
  bytesSent: 100_000,
  rejects: { total: 0, byStage: { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }, sample: [] },
  ...patch
})

const everything = { on: ["failure", "incomplete", "rejects", "guard", "success"] as const, rejectsOver: 10 }

describe("triggerOf", () => {
  it("names what a run's report fires, by precedence", () => {
    assert.strictEqual(triggerOf(report({ outcome: "aborted", fatal: { kind: "guard", message: "over" } }), everything), "guard")
    assert.strictEqual(triggerOf(report({ outcome: "aborted", fatal: { kind: "source", message: "gone" } }), everything), "failure")
    assert.strictEqual(triggerOf(report({ outcome: "incomplete", rejected: 50 }), everything), "incomplete")
    assert.strictEqual(triggerOf(report({ rejected: 11 }), everything), "rejects")
    assert.strictEqual(triggerOf(report({ rejected: 10 }), everything), "success")
  })

  it("fires only the triggers a sync names: success is off by default, rejects needs a threshold", () => {
    const defaults = { on: triggersOf(undefined, undefined), rejectsOver: 0 }
    assert.strictEqual(triggerOf(report(), defaults), undefined)
    assert.strictEqual(triggerOf(report({ rejected: 5 }), defaults), undefined)
    assert.strictEqual(triggerOf(report({ rejected: 5 }), { on: triggersOf(undefined, 2), rejectsOver: 2 }), "rejects")
    // An incomplete run with rejects falls back to rejects when incomplete is not asked for.
    assert.strictEqual(triggerOf(report({ outcome: "incomplete", rejected: 5 }), { on: ["rejects"], rejectsOver: 0 }), "rejects")
  })
})

describe("alert payloads", () => {
  const alert = alertOfReport(
    report({ outcome: "aborted", fatal: { kind: "source", message: "cannot read <scores.csv>\nstack" } }),
    6,
    everything
  )!

  it("Slack's has text and blocks with outcome, counts, exit code and duration", () => {
    const payload = slackPayload(alert) as {
      text: string
      blocks: Array<{ fields?: Array<{ text: string }>; elements?: Array<{ text: string }> }>
    }
    assert.include(payload.text, "churn-scores")
    assert.include(payload.text, "exit 6")
    const fields = payload.blocks[1]!.fields!.map((field) => field.text)
    assert.includeMembers(fields, ["*Outcome*\naborted", "*Exit code*\n6", "*Duration*\n12.3 s", "*Rows read*\n1,000", "*Accepted*\n1,000"])
    // The reason is one line, escaped for mrkdwn.
    assert.strictEqual(payload.blocks[2]!.elements![0]!.text, "source: cannot read &lt;scores.csv&gt;")
  })

  it("the generic JSON is the alert, typed", () => {
    const body = JSON.parse(alertBody(alert, "json"))
    assert.strictEqual(body.type, "tablecast.run.alert")
    assert.strictEqual(body.trigger, "failure")
    assert.deepStrictEqual(body.counts, { read: 1_000, accepted: 1_000, rejected: 0, refused: 0, undelivered: 0, skipped: 0 })
  })

  it("a run that never started alerts on failure only", () => {
    assert.strictEqual(alertOfStartFailure({ sync: "s", exitCode: 6, message: "no file" }, { on: ["success"] }), undefined)
    assert.strictEqual(alertOfStartFailure({ sync: "s", exitCode: 6, message: "no file" }, { on: ["failure"] })?.outcome, "failed")
  })
})

describe("webhook URLs", () => {
  it("are shown as their origin only, and must be http(s) without credentials", () => {
    assert.strictEqual(webhookOrigin("https://hooks.slack.com/services/T0/B0/XYZ?token=abc"), "https://hooks.slack.com")
    assert.strictEqual(webhookUrlProblem("http://127.0.0.1:9/hook"), undefined)
    assert.isString(webhookUrlProblem("ftp://x/y"))
    assert.isString(webhookUrlProblem("hooks.slack.com/x"))
    assert.isString(webhookUrlProblem("https://user:pw@x/y"))
  })
})

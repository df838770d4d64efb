import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_plan_5c2e"
const env = { SEGMENT_WRITE_KEY: WRITE_KEY }

/** The plan: churn_score a number (type), segment required and one of three (enum); identify traits with an email. */
const churnRule = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    context: {},
    traits: {},
    properties: {
      type: "object",
      properties: {
        churn_score: { type: "number" },
        segment: { type: "string", enum: ["high", "medium", "low"] }
      },
      required: ["churn_score", "segment"]
    }
  }
}
const publicApiPlan = { rules: [{ type: "TRACK", key: "Churn Scored", version: 1, jsonSchema: churnRule }] }
const configApiPlan = { display_name: "Churn", rules: { events: [{ name: "Churn Scored", version: 1, rules: churnRule }] } }

// Row 2: a string score; row 4: no segment; row 5: an enum miss; rows 1, 3, 6 keep the plan. NDJSON, so
// that each value keeps its own JSON type (a CSV column's type is decided once for the column).
const scores = [
  { customer_id: "c1", churn_score: 0.12, segment: "low" },
  { customer_id: "c2", churn_score: "high", segment: "medium" },
  { customer_id: "c3", churn_score: 0.5, segment: "medium" },
  { customer_id: "c4", churn_score: 0.7 },
  { customer_id: "c5", churn_score: 0.9, segment: "extreme" },
  { customer_id: "c6", churn_score: 0.33, segment: "high" }
]

const mapping = ["-f", "scores.ndjson", "-e", "Churn Scored", "-u", "customer_id"]

let dir: string
let sink: Sink
let received: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-plan-"))
  received = path.join(dir, "received.jsonl")
  sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
  await writeFile(path.join(dir, "scores.ndjson"), `${scores.map((row) => JSON.stringify(row)).join("\n")}\n`)
  await writeFile(path.join(dir, "plan.json"), JSON.stringify(publicApiPlan))
  await writeFile(path.join(dir, "config-plan.json"), JSON.stringify(configApiPlan))
})
afterEach(async () => {
  await sink.close()
})

const receivedUsers = async () => {
  await sink.close()
  return (await readJsonl(received)).map((message) => message.userId)
}

const rule = '(TRACK "Churn Scored" v1)'

describe("tablecast sync --tracking-plan", () => {
  it("rejects the rows that break the plan, each named with its rule, and delivers the others", async () => {
    const result = await runCli(
      ["sync", ...mapping, "--tracking-plan", "plan.json", "--endpoint", sink.url, "--rejects", "rejects.jsonl", "--json"],
      { cwd: dir, env }
    )
    expect(result.code, result.stderr).toBe(3)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.rows).toMatchObject({ read: 6, mapped: 3, rejected: 3 })
    expect(report.trackingPlan).toMatchObject({ plan: "plan.json", mode: "reject", messagesChecked: 6, rowsWithViolations: 3, violations: 3 })
    expect(report.trackingPlan?.byProperty).toEqual({
      [`properties.churn_score ${rule}`]: 1,
      [`properties.segment ${rule}`]: 2
    })
    const rejects = await readJsonl(path.join(dir, "rejects.jsonl"))
    expect(rejects.map((reject) => [reject.row, reject.stage, reject.reason])).toEqual([
      [2, "validation", `properties.churn_score: must be number, got string ${rule}`],
      [4, "validation", `properties.segment: required property missing ${rule}`],
      [5, "validation", `properties.segment: must be one of "high", "medium", "low", got "extreme" ${rule}`]
    ])
    expect(await receivedUsers()).toEqual(["c1", "c3", "c6"])
  })

  it("warn mode sends every row, counts the violations, and keeps the exit code", async () => {
    const result = await runCli(
      ["sync", ...mapping, "--tracking-plan", "plan.json", "--tracking-plan-mode", "warn", "--max-rejects", "0", "--endpoint", sink.url],
      { cwd: dir, env }
    )
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout + result.stderr).toContain("tracking plan plan.json (warn): 6 messages checked, 3 rows sent with warnings, 3 violations")
    expect(result.stdout + result.stderr).toContain(`row 5: properties.segment: must be one of "high", "medium", "low", got "extreme" ${rule}`)
    expect(await receivedUsers()).toEqual(["c1", "c2", "c3", "c4", "c5", "c6"])
  })

  it("checks the rows a CSV worker thread maps, with the same texts, counts and rejects", async () => {
    // Every 7th row: a segment the plan does not list; every 11th: no segment (required).
    const segmentOf = (n: number) => (n % 7 === 0 ? "extreme" : n % 11 === 0 ? "" : ["high", "medium", "low"][n % 3])
    const lines = Array.from({ length: 3000 }, (_, i) => `c${i + 1},0.${(i % 90) + 10},${segmentOf(i + 1)}`)
    await writeFile(path.join(dir, "scores.csv"), `customer_id,churn_score,segment\n${lines.join("\n")}\n`)
    const bad = Array.from({ length: 3000 }, (_, i) => i + 1).filter((n) => n % 7 === 0 || n % 11 === 0)
    for (const worker of ["--worker", "--no-worker"]) {
      const result = await runCli(
        [
          "sync",
          "-f",
          "scores.csv",
          "-e",
          "Churn Scored",
          "-u",
          "customer_id",
          worker,
          "--tracking-plan",
          "plan.json",
          "--endpoint",
          sink.url,
          "--json"
        ],
        { cwd: dir, env }
      )
      expect(result.code, result.stderr).toBe(3)
      const report = JSON.parse(result.stdout) as DeliveryReport
      expect(report.rows).toMatchObject({ read: 3000, mapped: 3000 - bad.length, rejected: bad.length })
      expect(report.trackingPlan).toMatchObject({ messagesChecked: 3000, rowsWithViolations: bad.length, unplannedMessages: 0 })
      expect(report.trackingPlan?.firstRows.slice(0, 2)).toEqual([
        { row: 7, violations: [`properties.segment: must be one of "high", "medium", "low", got "extreme" ${rule}`] },
        { row: 11, violations: [`properties.segment: required property missing ${rule}`] }
      ])
    }
  })

  it("takes the Config API's export from the config file, relative to it, the same way", async () => {
    const entry = {
      event: "Churn Scored",
      customerId: "customer_id",
      trackingPlan: "config-plan.json",
      destination: { endpoint: sink.url }
    }
    await writeFile(path.join(dir, "tablecast.config.json"), JSON.stringify({ syncs: { churn: entry } }))
    const elsewhere = await mkdtemp(path.join(tmpdir(), "tablecast-cwd-"))
    const config = ["--config", path.join(dir, "tablecast.config.json"), "-f", path.join(dir, "scores.ndjson")]
    const result = await runCli(["sync", "churn", ...config, "--json"], { cwd: elsewhere, env })
    expect(result.code, result.stderr).toBe(3)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.trackingPlan?.rowsWithViolations).toBe(3)
    expect(report.rejects.sample.map((reject) => reject.row)).toEqual([2, 4, 5])
    expect(await receivedUsers()).toEqual(["c1", "c3", "c6"])
  })

  it("stops at --max-rejects before sending anything", async () => {
    const result = await runCli(["sync", ...mapping, "--tracking-plan", "plan.json", "--max-rejects", "1", "--endpoint", sink.url, "--json"], {
      cwd: dir,
      env
    })
    expect(result.code, result.stderr).toBe(3)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.fatal?.kind).toBe("max-rejects")
    expect(await receivedUsers()).toEqual([])
  })

  it("refuses a broken plan file by name and rule, before reading or sending anything", async () => {
    await writeFile(
      path.join(dir, "broken.json"),
      JSON.stringify({ rules: [publicApiPlan.rules[0], { type: "TRACK", key: "Other", version: 2, jsonSchema: { type: "nmber" } }] })
    )
    const broken = await runCli(["sync", ...mapping, "--tracking-plan", "broken.json", "--endpoint", sink.url], { cwd: dir, env })
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain(
      'tablecast: tracking plan broken.json (rules[1].jsonSchema): TRACK "Other" v2: the rule\'s JSON Schema is not valid'
    )
    await writeFile(path.join(dir, "shape.json"), JSON.stringify({ events: [] }))
    const shape = await runCli(["sync", ...mapping, "--tracking-plan", "shape.json", "--endpoint", sink.url], { cwd: dir, env })
    expect(shape.code).toBe(2)
    expect(shape.stderr).toContain("tracking plan shape.json: unknown shape")
    expect(await receivedUsers()).toEqual([])
  })

  it("preview shows the violations before anything is sent", async () => {
    const result = await runCli(["preview", ...mapping, "--tracking-plan", "plan.json"], { cwd: dir })
    expect(result.code, result.stderr).toBe(3)
    expect(result.stderr).toContain(`row 2 would be rejected: properties.churn_score: must be number, got string ${rule}`)
    expect(result.stderr).toContain("tracking plan plan.json (reject): 6 messages checked, 3 rows rejected, 3 violations")
    expect(result.stderr).toMatch(/2 {2}properties\.segment \(TRACK "Churn Scored" v1\)/)
    expect(result.stdout.trim().split("\n")).toHaveLength(3)
    const json = await runCli(["preview", ...mapping, "--tracking-plan", "plan.json", "--tracking-plan-mode", "warn", "--limit", "10", "--json"], {
      cwd: dir
    })
    expect(json.code, json.stderr).toBe(0)
    const previewed = JSON.parse(json.stdout) as { messages: Array<unknown>; trackingPlan: { rowsWithViolations: number } }
    expect(previewed.messages).toHaveLength(6)
    expect(previewed.trackingPlan.rowsWithViolations).toBe(3)
  })
})

describe("tablecast plan --tracking-plan", () => {
  it("shows the violations of an incremental sync's changes, and --max-rejects stops it", async () => {
    const keyed = [...mapping, "--key", "customer_id", "--state-db", "state.db"]
    const planned = await runCli(["plan", ...keyed, "--tracking-plan", "plan.json", "--no-history"], { cwd: dir })
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toContain("tracking plan plan.json (reject): 6 messages checked, 3 rows rejected, 3 violations")
    expect(planned.stdout).toContain(`row 4: properties.segment: required property missing ${rule}`)
    const limited = await runCli(["plan", ...keyed, "--tracking-plan", "plan.json", "--max-rejects", "2", "--no-history", "--json"], { cwd: dir })
    expect(limited.code, limited.stderr).toBe(3)
    const json = JSON.parse(limited.stdout) as { error: { message: string }; trackingPlan: { rowsWithViolations: number } }
    expect(json.trackingPlan.rowsWithViolations).toBe(3)
    expect(limited.stderr).toContain("3 rows rejected, over the limit of 2")
    expect(await receivedUsers()).toEqual([])
  })
})

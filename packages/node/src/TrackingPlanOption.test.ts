import { readFile, writeFile } from "node:fs/promises"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { OptionsError, plan, preview, sync } from "./index.ts"
import { expectBalancedBooks, receiver, scoresFolder } from "./Sync.testkit.ts"

const mapping = { event: "Churn Scored", customerId: "customer_id" } as const

/** The receiver's messages, from its JSONL file once it is closed. */
const receivedUsers = async (sink: { readonly close: () => Promise<void> }, file: string) => {
  await sink.close()
  const text = await readFile(file, "utf8")
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { userId: string }).userId)
}

/** Scores over 0.005 break the plan (maximum), so rows 6 and on are the offenders. */
const plan005 = {
  rules: [
    {
      type: "TRACK",
      key: "Churn Scored",
      version: 1,
      jsonSchema: { properties: { properties: { properties: { churn_score: { type: "number", maximum: 0.005 } }, required: ["churn_score"] } } }
    }
  ]
}

// Behaviour, not speed: three runs in one test on a loaded machine.
describe("the trackingPlan option", { timeout: 60_000 }, () => {
  it("rejects the rows that break a plan given as JSON, and sends the others", async () => {
    const { dir, file } = await scoresFolder(8)
    const sink = await receiver({ writeKeys: ["test"], out: path.join(dir, "received.jsonl") })
    const report = await sync({
      source: { type: "csv", path: file },
      ...mapping,
      writeKey: "test",
      destination: { endpoint: sink.url },
      trackingPlan: plan005
    })
    expectBalancedBooks(report)
    expect(report.rows).toMatchObject({ read: 8, mapped: 5, rejected: 3 })
    expect(report.rejects.sample.map((reject) => [reject.row, reject.reason])).toEqual([
      [6, 'properties.churn_score: must be <= 0.005, got 0.006 (TRACK "Churn Scored" v1)'],
      [7, 'properties.churn_score: must be <= 0.005, got 0.007 (TRACK "Churn Scored" v1)'],
      [8, 'properties.churn_score: must be <= 0.005, got 0.008 (TRACK "Churn Scored" v1)']
    ])
    expect(await receivedUsers(sink, path.join(dir, "received.jsonl"))).toEqual(["c1", "c2", "c3", "c4", "c5"])
  })

  it("warn mode: a plan file (relative to cwd) sends every row and counts the violations; preview and plan show them", async () => {
    const { dir, file } = await scoresFolder(8)
    const sink = await receiver({ writeKeys: ["test"], out: path.join(dir, "received.jsonl") })
    await writeFile(path.join(dir, "plan.json"), JSON.stringify(plan005))
    const options = {
      source: { type: "csv" as const, path: file },
      ...mapping,
      cwd: dir,
      trackingPlan: "plan.json",
      trackingPlanMode: "warn" as const
    }
    const report = await sync({ ...options, writeKey: "test", destination: { endpoint: sink.url } })
    expect(report.rows.rejected).toBe(0)
    expect(report.trackingPlan).toMatchObject({ plan: "plan.json", mode: "warn", rowsWithViolations: 3 })
    expect(await receivedUsers(sink, path.join(dir, "received.jsonl"))).toHaveLength(8)
    const previewed = await preview({ ...options, trackingPlanMode: "reject", limit: 10 })
    expect(previewed.rejects.map((reject) => reject.row)).toEqual([6, 7, 8])
    expect(previewed.trackingPlan?.rowsWithViolations).toBe(3)
    const planned = await plan({ ...options, key: ["customer_id"] })
    expect(planned.trackingPlan?.firstRows.map((row) => row.row)).toEqual([6, 7, 8])
  })

  it("names a plan that cannot be used", async () => {
    const { file } = await scoresFolder(2)
    const broken = await preview({ source: { type: "csv", path: file }, ...mapping, trackingPlan: { rules: "all" } }).catch(
      (error: unknown) => error
    )
    expect(broken).toBeInstanceOf(OptionsError)
    expect((broken as OptionsError).option).toBe("trackingPlan")
    expect((broken as OptionsError).message).toMatch(/^tracking plan trackingPlan: unknown shape/)
    const mode = await preview({ source: { type: "csv", path: file }, ...mapping, trackingPlanMode: "warn" }).catch((error: unknown) => error)
    expect((mode as OptionsError).option).toBe("trackingPlanMode")
  })
})

import { readFile } from "node:fs/promises"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { OptionsError, sync, type Warning } from "./index.ts"
import { receiver, scoresFolder } from "./Sync.testkit.ts"

const mapping = { event: "Churn Scored", customerId: "customer_id" } as const

/** Scores over 0.005 break the plan (maximum): rows 6 and on. */
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

const lines = async (file: string) =>
  (await readFile(file, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Warning)

describe("the warnings option", { timeout: 60_000 }, () => {
  it("warn mode: every row sent with warnings goes to the function, or to a file beside the rejects by default", async () => {
    const { dir, file } = await scoresFolder(30)
    const sink = await receiver({ writeKeys: ["test"] })
    const base = {
      source: { type: "csv" as const, path: file },
      ...mapping,
      cwd: dir,
      writeKey: "test",
      destination: { endpoint: sink.url },
      trackingPlan: plan005,
      trackingPlanMode: "warn" as const
    }
    const told: Array<Warning> = []
    const report = await sync({ ...base, warnings: (rows) => void told.push(...rows) })
    expect(report.rows).toMatchObject({ read: 30, mapped: 30, rejected: 0 })
    expect(told.map((row) => row.row)).toEqual(Array.from({ length: 25 }, (_, i) => i + 6))
    expect(told[0]?.violations).toEqual([
      {
        rule: 'TRACK "Churn Scored" v1',
        property: "properties.churn_score",
        text: 'properties.churn_score: must be <= 0.005, got 0.006 (TRACK "Churn Scored" v1)'
      }
    ])
    expect(told[0]?.values).toMatchObject({ customer_id: "c6" })
    const beside = await sync({ ...base, rejects: "out/rejects.jsonl" })
    expect(beside.trackingPlan?.warningsFile).toBe(path.relative(process.cwd(), path.join(dir, "out", "rejects.warnings.jsonl")))
    expect(await lines(path.join(dir, "out", "rejects.warnings.jsonl"))).toEqual(told)
    // Reject mode writes none: the rows are in the rejects.
    const rejected: Array<Warning> = []
    await sync({ ...base, trackingPlanMode: "reject", warnings: (rows) => void rejected.push(...rows) })
    expect(rejected).toEqual([])
  })

  it("refuses a warnings option that is neither a path nor a function", async () => {
    const { file } = await scoresFolder(2)
    await expect(sync({ source: { type: "csv", path: file }, ...mapping, writeKey: "test", warnings: 3 as never })).rejects.toThrow(
      new OptionsError("warnings: expected a file path or a function", "warnings")
    )
  })
})

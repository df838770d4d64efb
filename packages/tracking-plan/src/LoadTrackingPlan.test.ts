import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { loadTrackingPlan } from "./LoadTrackingPlan.js"
import { churnPublicApi } from "./testing/Plans.js"

describe("loadTrackingPlan", () => {
  it("reads and compiles a plan file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "plan-"))
    const file = path.join(dir, "plan.json")
    await writeFile(file, JSON.stringify(churnPublicApi))
    const plan = await loadTrackingPlan(file)
    expect(plan.plan.rules).toHaveLength(3)
    expect(plan.check({ type: "track", event: "Churn Scored", properties: { churn_score: 1, segment: "low" } }).violations).toEqual([])
  })

  it("names the file that is missing or not JSON", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "plan-"))
    const file = path.join(dir, "plan.json")
    await expect(loadTrackingPlan(file)).rejects.toThrow(`tracking plan ${file}: no such file`)
    await writeFile(file, "{ rules: ")
    await expect(loadTrackingPlan(file)).rejects.toThrow(new RegExp(`^tracking plan ${file}: not valid JSON: `))
  })
})

import { mkdir, mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { readTrackingPlan } from "./ReadTrackingPlan.js"
import { churnPublicApi } from "./testing/Plans.js"

describe("readTrackingPlan", () => {
  it("reads and parses a plan file into its rules, naming it as the origin says", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "plan-"))
    const file = path.join(dir, "plan.json")
    await writeFile(file, JSON.stringify(churnPublicApi))
    const plan = await readTrackingPlan(file, "plan.json")
    expect(plan.rules).toHaveLength(3)
    expect(plan.rules.map((rule) => rule.call)).toContain("track")
  })

  it("names the file that is missing, unreadable, not JSON or not a plan", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "plan-"))
    const file = path.join(dir, "plan.json")
    await expect(readTrackingPlan(file, "plan.json")).rejects.toThrow("tracking plan plan.json: no such file")
    await mkdir(path.join(dir, "folder.json"))
    await expect(readTrackingPlan(path.join(dir, "folder.json"), "folder.json")).rejects.toThrow(
      "tracking plan folder.json: cannot be read (EISDIR)"
    )
    await writeFile(file, "{ rules: ")
    await expect(readTrackingPlan(file, "plan.json")).rejects.toMatchObject({ _tag: "TrackingPlanError", origin: "plan.json" })
    await expect(readTrackingPlan(file, "plan.json")).rejects.toThrow(/^tracking plan plan\.json: not valid JSON: /)
    await writeFile(file, JSON.stringify({ plan: [] }))
    await expect(readTrackingPlan(file, "plan.json")).rejects.toThrow(/^tracking plan plan\.json/)
  })
})

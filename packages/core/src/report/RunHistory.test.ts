import { describe, expect, it } from "vitest"
import { retainedRuns, runMatches, selectRuns } from "./RunHistory.ts"
import type { RunRecord } from "./RunRecord.ts"

const run = (id: string, startedAt: string, sync = "churn", outcome: RunRecord["outcome"] = "completed"): RunRecord =>
  ({ id, startedAt, sync, outcome }) as RunRecord

const runs = [
  run("a", "2026-12-01T10:00:00.000Z"),
  run("b", "2026-12-03T10:00:00.000Z", "rfm", "incomplete"),
  run("c", "2026-12-05T10:00:00.000Z"),
  run("d", "2026-12-05T10:00:00.000Z", "churn", "aborted")
]

describe("selectRuns", () => {
  it("lists the newest first, ids breaking ties of the same start", () => {
    expect(selectRuns(runs).map((r) => r.id)).toEqual(["d", "c", "b", "a"])
  })
  it("filters by sync, outcome and start date, then limits", () => {
    expect(selectRuns(runs, { sync: "churn" }).map((r) => r.id)).toEqual(["d", "c", "a"])
    expect(selectRuns(runs, { outcome: "incomplete" }).map((r) => r.id)).toEqual(["b"])
    expect(
      selectRuns(runs, { since: new Date("2026-12-03T10:00:00.000Z"), until: new Date("2026-12-05T00:00:00.000Z") }).map((r) => r.id)
    ).toEqual(["b"])
    expect(selectRuns(runs, { limit: 2 }).map((r) => r.id)).toEqual(["d", "c"])
  })
  it("matches everything with no filter", () => {
    expect(runs.every((r) => runMatches(r))).toBe(true)
  })
})

describe("retainedRuns", () => {
  const now = new Date("2026-12-06T10:00:00.000Z")
  it("keeps the newest maxRuns, in the order given", () => {
    expect(retainedRuns(runs, { maxRuns: 2 }, now).map((r) => r.id)).toEqual(["c", "d"])
  })
  it("drops runs older than maxAgeDays", () => {
    expect(retainedRuns(runs, { maxAgeDays: 4 }, now).map((r) => r.id)).toEqual(["b", "c", "d"])
  })
  it("keeps everything with no bound", () => {
    expect(retainedRuns(runs, {}, now)).toEqual(runs)
  })
})

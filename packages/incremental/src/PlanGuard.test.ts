import { describe, expect, it } from "vitest"
import { IncrementalSpec } from "./IncrementalSpec.ts"
import { judgeGuard } from "./PlanGuard.ts"

const settings = (mode: IncrementalSpec["mode"]) => IncrementalSpec.parse({ mode, guard: { maxChangedShare: 0.5, maxRemovedShare: 0.2 } })
const counts = (added: number, changed: number, removed: number) => ({ added, changed, removed })

describe("judgeGuard", () => {
  it("passes within the maximums, with the table's true shares", () => {
    const guard = judgeGuard({ counts: counts(3, 2, 1), size: 10, settings: settings("all"), full: false, force: false })
    expect(guard).toEqual({
      addedShare: 0.3,
      changedShare: 0.2,
      removedShare: 0.1,
      maxChangedShare: 0.5,
      maxRemovedShare: 0.2,
      tripped: undefined,
      forced: false
    })
  })

  it("trips on changes in a mode that sends them, and only warns in one that does not", () => {
    const sending = judgeGuard({ counts: counts(0, 6, 0), size: 10, settings: settings("changed"), full: false, force: true })
    expect(sending.tripped).toBe("6 of the snapshot's 10 rows changed (60%), over the guard's 50%")
    expect(sending.forced).toBe(true)
    const added = judgeGuard({ counts: counts(0, 6, 0), size: 10, settings: settings("added"), full: false, force: false })
    expect(added.tripped).toBeUndefined()
    expect(added.warning).toBe(
      "6 of the snapshot's 10 rows changed (60%), over the guard's 50%; mode added sends no changes, so this does not stop the run"
    )
  })

  it("trips on removals in every mode, saying so when the mode sends none", () => {
    const removed = judgeGuard({ counts: counts(0, 0, 3), size: 10, settings: settings("added"), full: false, force: false })
    expect(removed.tripped).toBe(
      "3 of the snapshot's 10 rows are removed (30%), over the guard's 20% (mode added sends no removals, but the table lost them)"
    )
    expect(removed.forced).toBe(false)
  })

  it("never trips on a full run or a first run (an empty snapshot)", () => {
    expect(judgeGuard({ counts: counts(0, 9, 9), size: 10, settings: settings("all"), full: true, force: false }).tripped).toBeUndefined()
    const first = judgeGuard({ counts: counts(5, 0, 0), size: 0, settings: settings("all"), full: false, force: false })
    expect(first).toMatchObject({ addedShare: 0, tripped: undefined })
  })
})

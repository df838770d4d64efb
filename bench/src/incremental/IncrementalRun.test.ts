import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { ensureDataset } from "../Dataset.ts"
import { repoRoot } from "../Paths.ts"
import { ensureChangedDataset } from "./ChangedDataset.ts"
import { runStep, scenario } from "./IncrementalRun.ts"

// The incremental benchmark end to end on a small file: the built CLI in its own process against a
// receiver in another, one snapshot file across the runs. Counts are asserted, never timings.
const dir = path.join(tmpdir(), `tablecast-bench-incremental-${process.pid}`)
afterAll(() => rm(dir, { recursive: true, force: true }))
const rows = 3_000

describe("the incremental scenario", () => {
  it("sends every row first, nothing when nothing changed, only the rows moved beyond tolerance, everything with --full", async () => {
    const dataset = await ensureDataset(dir, rows, 1)
    const changed = await ensureChangedDataset(dataset, { beyond: 0.02, within: 0.01 })
    expect(changed.beyond).toBeGreaterThan(20)
    expect(changed.within).toBeGreaterThan(10)
    const stateDb = path.join(dir, "state.db")
    const [first, noChange, onePercent, full, plain] = scenario({ file: dataset.path }, { file: changed.path })
    const ok = { exitCode: 0, outcome: "completed", notes: [], rowsRead: rows }

    const firstRun = await runStep(first!, stateDb, repoRoot)
    expect(firstRun).toMatchObject({ ...ok, messagesReceived: rows, distinctMessageIds: rows })
    expect(firstRun.plan).toMatchObject({ added: rows, changed: 0, unchanged: 0 })
    expect(firstRun.snapshotBytes).toBeGreaterThan(0)

    const noChangeRun = await runStep(noChange!, stateDb, repoRoot)
    expect(noChangeRun).toMatchObject({ ...ok, requests: 0, messagesReceived: 0 })
    expect(noChangeRun.plan).toMatchObject({ added: 0, changed: 0, unchanged: rows, removed: 0 })

    const changedRun = await runStep(onePercent!, stateDb, repoRoot)
    expect(changedRun).toMatchObject({ ...ok, requests: 1, messagesReceived: changed.beyond, distinctMessageIds: changed.beyond })
    expect(changedRun.plan).toMatchObject({ added: 0, changed: changed.beyond, unchanged: rows - changed.beyond, withinTolerance: changed.within })

    const fullRun = await runStep(full!, stateDb, repoRoot)
    expect(fullRun).toMatchObject({ ...ok, messagesReceived: rows, distinctMessageIds: rows })

    const plainRun = await runStep(plain!, stateDb, repoRoot)
    expect(plainRun).toMatchObject({ ...ok, messagesReceived: rows, snapshotBytes: 0 })
    expect(plainRun.plan).toBeUndefined()
  })
})

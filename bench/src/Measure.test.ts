import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cliContender, contenders } from "./Contenders.ts"
import { ensureDataset } from "./Dataset.ts"
import { measure } from "./Measure.ts"
import { repoRoot } from "./Paths.ts"
import { cliFlagsFor } from "./Settings.ts"

// The harness end to end on a small file: each contender in its own process against a receiver in
// another, and the counts checked. Figures are printed by `pnpm bench`, never asserted here.
const dir = path.join(tmpdir(), `tablecast-bench-measure-${process.pid}`)
afterAll(() => rm(dir, { recursive: true, force: true }))
const rows = 2_000
const contender = (key: string) => contenders.find((candidate) => candidate.key === key)!

describe("measure", () => {
  it("runs the bare bound, tablecast and the analytics-node script, and counts what arrived", async () => {
    const dataset = await ensureDataset(dir, rows, 1)
    const bare = await measure(contender("bare"), { csvPath: dataset.path }, rows, repoRoot)
    expect(bare).toMatchObject({ rowsLost: 0, notes: [] })
    expect(bare.peakRssBytes).toBeGreaterThan(0)

    // The bulk settings with no time flush: on a busy machine a read slower than 0.5 s would close
    // a batch early, which the bare bound (no clock) never does.
    const bulkByteFilled = cliContender("bulk", "tablecast, bulk settings", [...cliFlagsFor("bulk"), "--flush-interval", "3600000"])
    const bulk = await measure(bulkByteFilled, { csvPath: dataset.path }, rows, repoRoot)
    expect(bulk).toMatchObject({ rowsLost: 0, duplicates: 0, exitCode: 0, notes: [] })
    expect(bulk.receiver).toMatchObject({ messages: rows, distinctMessageIds: rows, refused: 0, verifyFailures: 0 })
    // 2,000 messages of about 450 bytes: more than one 475,000-byte request, far fewer than 20.
    expect(bulk.requests).toBeGreaterThan(1)
    expect(bulk.requests).toBeLessThan(20)
    // The bare bound builds the very messages tablecast sends, in batches under the same limits.
    expect(bare.requests).toBe(bulk.requests)
    expect(bare.bytesPerRequest * bare.requests).toBe(bulk.bytesPerRequest * bulk.requests)

    const library = await measure(contender("analytics-node"), { csvPath: dataset.path }, rows, repoRoot)
    expect(library).toMatchObject({ rowsLost: 0, duplicates: 0, exitCode: 0, requests: rows / 100 })
  })
})

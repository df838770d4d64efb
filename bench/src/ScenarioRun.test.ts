import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { readCliFlags } from "./CliFlags.ts"
import { repoRoot } from "./Paths.ts"
import { formatScenario, runScenario } from "./ScenarioRun.ts"
import { type Scenario, scenarios } from "./Scenarios.ts"

// A scenario end to end on a small file, against a receiver drawing the fault mix: the counts
// line up and the table is printed. Figures are never asserted (speed is the benchmark's).
const dir = path.join(tmpdir(), `tablecast-bench-scenario-${process.pid}`)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("a scenario run", () => {
  it("sends every row through the fault mix, counts the receiver's answers, and prints its table", async () => {
    const faults = scenarios.find((scenario) => scenario.key === "faults")!
    const small: Scenario = { ...faults, contenders: ["default", "told-limit"] }
    const rows = 1_000
    const run = await runScenario(small, { rows, repeat: 1, timeoutSeconds: 120, cli: readCliFlags(), seed: 3, dataDir: dir, cwd: repoRoot })

    const tablecast = run.summaries.find((summary) => summary.key === "default")!
    expect(tablecast).toMatchObject({ rows, rowsLost: 0, duplicates: 0, timedOut: 0 })
    const measured = run.measurements[0]!
    // Every request the receiver saw was answered 200, 429, 5xx or reset, and the faults were drawn.
    expect(measured.receiver!.requests).toBe(measured.receiver!.accepted + measured.tooManyRequests + measured.serverErrors + measured.resets)
    expect(measured.tooManyRequests + measured.serverErrors + measured.resets).toBeGreaterThan(0)
    expect(measured.receiver!.distinctMessageIds).toBe(rows)
    expect(measured.retries).toBeGreaterThan(0)

    // --max-rps 20 runs when the CLI has the flag; before then it is listed as not available.
    const told = run.summaries.some((summary) => summary.key === "told-limit") || run.unavailable.some((missing) => missing.key === "told-limit")
    expect(told).toBe(true)

    const table = formatScenario(run)
    expect(table).toContain("## Fault mix")
    expect(table).toContain("| tablecast, default settings")
    expect(table).toMatch(/rows\/s \(median\).*429s.*5xx.*resets.*retries.*peak RSS.*rows lost/)
  })
})

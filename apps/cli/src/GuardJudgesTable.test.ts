import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { IncrementalPlan, IncrementalReport } from "@tablecast/incremental"
import { type Sink, startSink } from "@tablecast/sink"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

const MODES = ["added", "changed", "added-or-changed", "removed", "all"] as const

const scores = (count: number) => {
  const lines = ["customer_id,score,segment"]
  for (let i = 1; i <= count; i++) lines.push(`c${i},${(i % 97) / 100},s${i % 5}`)
  return `${lines.join("\n")}\n`
}

const args = (file: string, mode: string, extra: ReadonlyArray<string> = []) => [
  "-f",
  file,
  "-e",
  "Churn Scored",
  "-u",
  "customer_id",
  "--key",
  "customer_id",
  "--mode",
  mode,
  ...extra
]

describe("the guard judges the table in every mode (issue #14, finding 9), through the built CLI", () => {
  let sink: Sink
  let dir: string
  /** A CSV of the first `count` rows of the table. */
  const table = async (count: number) => {
    const file = path.join(dir, `rows-${count}.csv`)
    await writeFile(file, scores(count))
    return file
  }
  beforeAll(async () => {
    sink = await startSink()
    dir = await mkdtemp(path.join(tmpdir(), "tablecast-guard-"))
  })
  afterAll(async () => {
    await sink.close()
  })
  const env = { SEGMENT_WRITE_KEY: "wk_guard_test" }

  for (const mode of MODES) {
    // The figures in the default mode; a smaller table in the others (the same shares).
    const size = mode === "added-or-changed" ? 20_000 : 2_000
    const n = (count: number) => count.toLocaleString("en-US")
    it(`mode ${mode}: a table that lost half its ${n(size)} rows stops plan and sync with exit 8, nothing sent, the snapshot unchanged`, async () => {
      const full = await table(size)
      const half = await table(size / 2)
      const cwd = await mkdtemp(path.join(tmpdir(), `tablecast-guard-${mode}-`))
      const first = await runCli(["sync", ...args(full, mode, ["--full", "--endpoint", sink.url, "--json"])], { env, cwd })
      expect(first.code, first.stderr).toBe(0)
      expect((JSON.parse(first.stdout) as IncrementalReport).messages.accepted).toBe(size)

      const text = await runCli(["plan", ...args(half, mode)], { cwd })
      expect(text.code, text.stderr).toBe(8)
      expect(text.stdout).toContain(`removed     ${n(size / 2)}`)
      expect(text.stdout).toContain(
        `removed 50.0% (at most 20.0%): STOPS THE RUN: ${size / 2} of the snapshot's ${size} rows are removed (50%), over the guard's 20%`
      )

      const requests = sink.stats().requests
      const sync = await runCli(["sync", ...args(half, mode, ["--endpoint", sink.url, "--json"])], { env, cwd })
      expect(sync.code, sync.stderr).toBe(8)
      const report = JSON.parse(sync.stdout) as IncrementalReport
      expect(report.fatal?.kind).toBe("guard")
      expect(report.messages.accepted).toBe(0)
      expect(sink.stats().requests).toBe(requests)

      // The snapshot did not move: the same table is still judged against all 20,000 rows.
      const again = await runCli(["plan", ...args(half, mode, ["--json"])], { cwd })
      expect(again.code).toBe(8)
      const plan = JSON.parse(again.stdout) as IncrementalPlan
      expect(plan.snapshot.rows).toBe(size)
      expect(plan.rows.removed).toBe(size / 2)
      expect(plan.guard.removedShare).toBe(0.5)
    }, 120_000)
  }

  it("a small shrink passes; --force sends past the guard and the next run compares with the table as accepted", async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), "tablecast-guard-force-"))
    const full = await table(2_000)
    const most = await table(1_900)
    const half = await table(1_000)
    const first = await runCli(["sync", ...args(full, "added-or-changed", ["--endpoint", sink.url])], { env, cwd })
    expect(first.code, first.stderr).toBe(0)

    const small = await runCli(["plan", ...args(most, "added-or-changed")], { cwd })
    expect(small.code, small.stdout).toBe(0)
    expect(small.stdout).toContain("removed     100 (not sent in mode added-or-changed)")
    expect(small.stdout).toContain("guard       added 0.0%, changed 0.0% (at most 50.0%), removed 5.0% (at most 20.0%): passes")

    const forced = await runCli(["sync", ...args(half, "added-or-changed", ["--force", "--endpoint", sink.url, "--json"])], { env, cwd })
    expect(forced.code, forced.stderr).toBe(0)
    const report = JSON.parse(forced.stdout) as IncrementalReport
    expect(report.incremental?.guard).toMatchObject({ forced: true, removedShare: 0.5 })
    expect(report.incremental?.snapshot.forgotten).toBe(1_000)
    const next = await runCli(["plan", ...args(half, "added-or-changed")], { cwd })
    expect(next.code, next.stdout).toBe(0)
    expect(next.stdout).toContain("removed 0.0% (at most 20.0%): passes")
  }, 120_000)
})

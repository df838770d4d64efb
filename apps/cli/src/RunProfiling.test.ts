import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { RunRecord } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

const WRITE_KEY = "wk_test_profile_8e2a41"

let sink: Sink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

/** A keyed table: every customer's score, segment and an email (a value seen once per row). */
const table = (scores: ReadonlyArray<number>) =>
  `customer_id,score,segment,email\n${scores.map((score, i) => `c${i + 1},${score},${i % 2 === 0 ? "gold" : "silver"},u${i + 1}@example.net`).join("\n")}\n`

/** Every run recorded, newest first, wherever the project keeps it (an incremental sync's in its state file), as `tablecast runs --json` gives them. */
const recordedRuns = async (dir: string): Promise<{ readonly text: string; readonly runs: ReadonlyArray<RunRecord> }> => {
  const listed = await runCli(["runs", "--json", "--limit", "0"], { cwd: dir })
  expect(listed.code, listed.stderr).toBe(0)
  return { text: listed.stdout, runs: (JSON.parse(listed.stdout) as { runs: ReadonlyArray<RunRecord> }).runs }
}

const lastRecord = async (dir: string): Promise<RunRecord> => (await recordedRuns(dir)).runs[0]!

describe("the run profile, through the built CLI", () => {
  it("records a keyed incremental sync's distributions, timeline, reject rows and movement; no email, no write key", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-profile-"))
    const sync = async () => {
      const result = await runCli(
        ["sync", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--key", "customer_id", "--endpoint", sink!.url, "--progress", "none"],
        { cwd: dir, env: { SEGMENT_WRITE_KEY: WRITE_KEY } }
      )
      expect(result.code, result.stderr).toBe(0)
      return lastRecord(dir)
    }
    const first = Array.from({ length: 40 }, (_, i) => (i + 1) / 100)
    await writeFile(path.join(dir, "scores.csv"), table(first))
    const firstRun = await sync()
    expect(firstRun.profile?.properties.map((property) => property.path)).toEqual(["properties.score", "properties.segment", "properties.email"])
    expect(firstRun.profile?.properties[0]).toMatchObject({ kind: "numeric", count: 40, min: 0.01, max: 0.4 })
    expect(firstRun.profile?.properties[1]).toMatchObject({
      top: [
        { value: "gold", count: 20 },
        { value: "silver", count: 20 }
      ]
    })
    expect(firstRun.profile?.properties[2]).toMatchObject({ kind: "categorical", count: 40, top: [] })
    expect(firstRun.profile?.timeline.at(-1)).toMatchObject({ rowsRead: 40, messagesAccepted: 40 })
    expect(firstRun.profile?.movement).toBeUndefined()

    // A quarter of the customers move by 0.3.
    const second = first.map((score, i) => (i % 4 === 0 ? Math.round((score + 0.3) * 100) / 100 : score))
    await writeFile(path.join(dir, "scores.csv"), table(second))
    const secondRun = await sync()
    expect(secondRun.profile?.movement).toEqual([{ column: "score", compared: 40, threshold: 0, moved: 10 }])
    const { text } = await recordedRuns(dir)
    for (const valueOrSecret of [WRITE_KEY, "u1@example.net", "u40@example.net"]) expect(text).not.toContain(valueOrSecret)
  })

  it("keeps the rows of the first rejects of each stage, and collects nothing with --no-history", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-profile-"))
    await writeFile(path.join(dir, "scores.csv"), "customer_id,score\nc1,0.1\n,0.2\nc3,0.3\n,0.4\n")
    const dryRun = (extra: ReadonlyArray<string>) =>
      runCli(["sync", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--dry-run", "--progress", "none", ...extra], { cwd: dir })
    expect((await dryRun([])).code).toBe(3)
    expect((await lastRecord(dir)).profile?.rejectExamples).toEqual({ validation: [2, 4] })
    expect((await dryRun(["--no-history"])).code).toBe(3)
    expect((await readFile(path.join(dir, ".tablecast", "state", "runs.jsonl"), "utf8")).trim().split("\n")).toHaveLength(1)
  })
})

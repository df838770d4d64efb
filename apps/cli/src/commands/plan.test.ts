import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { IncrementalPlan, IncrementalReport } from "@tablecast/incremental"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_incremental_51c2"

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-plan-"))
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const scores = (count: number, change: (i: number) => Partial<{ score: number; segment: string }> = () => ({})) => {
  const lines = ["customer_id,score,segment,scored_at"]
  for (let i = 1; i <= count; i++) {
    const row = { score: (i % 97) / 100, segment: `s${i % 5}`, ...change(i) }
    lines.push(`c${i},${row.score},${row.segment},2026-11-2${i % 2}T00:00:00Z`)
  }
  return `${lines.join("\n")}\n`
}

const incremental = (file: string, extra: ReadonlyArray<string> = []) => [
  "-f",
  file,
  "-e",
  "Churn Scored",
  "-u",
  "customer_id",
  "--timestamp",
  "scored_at",
  "--key",
  "customer_id",
  "--tolerance",
  "score=0.01",
  ...extra
]

describe("incremental syncs from the command line", () => {
  it("sends every row, then nothing, then only the changes that tablecast plan announced", async () => {
    const file = path.join(dir, "scores.csv")
    const received = path.join(dir, "received.jsonl")
    const env = { SEGMENT_WRITE_KEY: WRITE_KEY }
    sink = await startSink({ out: received })
    await writeFile(file, scores(500))
    const sync = (extra: ReadonlyArray<string> = []) =>
      runCli(["sync", ...incremental(file, ["--endpoint", sink!.url, "--json", ...extra])], { env, cwd: dir })

    const first = await sync()
    expect(first.code).toBe(0)
    expect((JSON.parse(first.stdout) as IncrementalReport).incremental?.rows.added).toBe(500)

    const again = await sync()
    expect(again.code).toBe(0)
    const unchanged = JSON.parse(again.stdout) as IncrementalReport
    expect(unchanged.incremental?.rows.unchanged).toBe(500)
    expect(unchanged.batches.requests).toBe(0)

    // 3 real moves, 20 within tolerance, a new customer.
    await writeFile(
      file,
      scores(501, (i) => (i <= 3 ? { score: 0.99 } : i <= 23 ? { score: (i % 97) / 100 + 0.002 } : {}))
    )
    const planned = await runCli(["plan", ...incremental(file, ["--json"])], { env: {}, cwd: dir })
    expect(planned.stderr).toBe("")
    expect(planned.code).toBe(0)
    const plan = JSON.parse(planned.stdout) as IncrementalPlan
    expect(plan.rows).toMatchObject({ read: 501, added: 1, changed: 3, unchanged: 497, withinTolerance: 20, removed: 0 })
    expect(plan.send).toMatchObject({ rows: 4, messages: 4, requests: 1 })
    expect(plan.users).toEqual({ touched: 4, new: 1 })
    expect(plan.sample.find((change) => change.key === '["c1"]')?.changes).toContainEqual({ column: "score", before: 0.01, after: 0.99 })

    const text = await runCli(["plan", ...incremental(file)], { env: {}, cwd: dir })
    expect(text.stdout).toMatch(/changed\s+3/)
    expect(text.stdout).toMatch(/row 1 \["c1"\] changed: score 0\.01 → 0\.99/)

    const before = sink.stats().messagesAccepted
    const applied = await sync()
    expect(applied.code).toBe(0)
    const report = JSON.parse(applied.stdout) as IncrementalReport
    expect(report.messages.accepted).toBe(plan.send.messages)
    expect(report.batches.requests).toBe(plan.send.requests)
    expect(sink.stats().messagesAccepted - before).toBe(4)
    await sink.close()
    const lines = (await readFile(received, "utf8")).trim().split("\n")
    const last = lines
      .slice(-4)
      .map((line) => (JSON.parse(line) as { userId: string }).userId)
      .sort()
    expect(last).toEqual(["c1", "c2", "c3", "c501"])
  })

  it("stops a broken model's output before sending (exit 8), sends it with --force", async () => {
    const file = path.join(dir, "scores.csv")
    const env = { SEGMENT_WRITE_KEY: WRITE_KEY }
    sink = await startSink({})
    await writeFile(file, scores(100))
    const sync = (extra: ReadonlyArray<string> = []) =>
      runCli(["sync", ...incremental(file, ["--endpoint", sink!.url, ...extra])], { env, cwd: dir })
    expect((await sync()).code).toBe(0)
    await writeFile(
      file,
      scores(100, () => ({ score: 0 }))
    )
    const stopped = await sync()
    expect(stopped.code).toBe(8)
    expect(stopped.stdout).toMatch(/over the guard's 50%: nothing was sent/)
    expect(stopped.stdout).toMatch(/STOPS THE RUN/)
    expect(sink.stats().messagesAccepted).toBe(100)
    const forced = await sync(["--force", "--json"])
    expect(forced.code).toBe(0)
    expect(sink.stats().messagesAccepted).toBeGreaterThan(150)
  })

  it("keeps the snapshot in Postgres with --state-postgres env, never printing the password", async () => {
    const pg = Object.fromEntries(
      ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"].flatMap((name) =>
        process.env[name] === undefined ? [] : [[name, process.env[name]!]]
      )
    )
    expect(pg.PGPASSWORD, "the test PostgreSQL server's variables (scripts/postgres/start.sh)").toBeDefined()
    const file = path.join(dir, "scores.csv")
    const env = { SEGMENT_WRITE_KEY: WRITE_KEY, ...pg }
    sink = await startSink({})
    await writeFile(file, scores(300))
    const name = `cli-pg-${path.basename(dir)}`
    const sync = () =>
      runCli(["sync", ...incremental(file, ["--name", name, "--endpoint", sink!.url, "--state-postgres", "env", "--json"])], {
        env,
        cwd: dir
      })
    const first = JSON.parse((await sync()).stdout) as IncrementalReport
    expect(first.incremental?.rows.added).toBe(300)
    // Another working folder (another machine): the snapshot is shared, so nothing is sent again.
    const second = await runCli(["sync", ...incremental(file, ["--name", name, "--endpoint", sink.url, "--state-postgres", "env", "--json"])], {
      env,
      cwd: await mkdtemp(path.join(tmpdir(), "tablecast-other-machine-"))
    })
    expect(second.code).toBe(0)
    const report = JSON.parse(second.stdout) as IncrementalReport
    expect(report.incremental?.rows.unchanged).toBe(300)
    expect(report.incremental?.snapshot.location).not.toContain(pg.PGPASSWORD!)
    expect(second.stdout + second.stderr).not.toContain(pg.PGPASSWORD!)
    expect(sink.stats().messagesAccepted).toBe(300)
  })

  it("a both sync: relative tolerance, an ignored column, and a removal told as an identify and a named event", async () => {
    const file = path.join(dir, "scores.csv")
    const received = path.join(dir, "received.jsonl")
    const env = { SEGMENT_WRITE_KEY: WRITE_KEY }
    sink = await startSink({ out: received })
    const rows = (lines: ReadonlyArray<string>) => writeFile(file, `customer_id,score,segment\n${lines.join("\n")}\n`)
    const args = [
      "sync",
      "-f",
      file,
      "-t",
      "both",
      "-e",
      "Churn Scored",
      "-u",
      "customer_id",
      "--key",
      "customer_id",
      "--tolerance",
      "score=10%",
      "--ignore",
      "segment",
      "--removed-event",
      "Churn Left",
      "--mode",
      "all",
      "--max-changed",
      "100%",
      "--max-removed",
      "100%",
      "--endpoint",
      sink.url,
      "--json"
    ]
    await rows(["c1,100,a", "c2,100,a", "c3,100,a", "c4,100,a"])
    expect((await runCli(args, { env, cwd: dir })).code).toBe(0)
    // c1 moves 5% (within 10%), c2 20%, c3 only its ignored segment; c4 leaves the table.
    await rows(["c1,105,a", "c2,120,a", "c3,100,b"])
    const result = await runCli(args, { env, cwd: dir })
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as IncrementalReport
    expect(report.incremental?.rows).toMatchObject({ changed: 1, unchanged: 2, withinTolerance: 1, removed: 1 })
    await sink.close()
    const second = (await readFile(received, "utf8"))
      .trim()
      .split("\n")
      .slice(8)
      .map((line) => JSON.parse(line) as { type: string; userId: string; event?: string; traits?: unknown; properties?: unknown })
      // By customer, then call: two batches in flight may reach the receiver in either order.
      .sort((a, b) => `${a.userId} ${a.type}`.localeCompare(`${b.userId} ${b.type}`))
    expect(second.map((m) => [m.type, m.userId, m.event ?? null])).toEqual([
      ["identify", "c2", null],
      ["track", "c2", "Churn Scored"],
      ["identify", "c4", null],
      ["track", "c4", "Churn Left"]
    ])
    expect(second[2]!.traits).toEqual({ score: null, segment: null })
    expect(second[3]!.properties).toEqual({ customer_id: "c4", sync: "both:Churn Scored" })
  })

  it("refuses plan for a sync that is not incremental, and a bad tolerance, naming the flag", async () => {
    const file = path.join(dir, "scores.csv")
    await writeFile(file, scores(3))
    const plain = await runCli(["plan", "-f", file, "-e", "E", "-u", "customer_id"], { cwd: dir })
    expect(plain.code).toBe(2)
    expect(plain.stderr).toMatch(/not incremental; give --key/)
    const bad = await runCli(["plan", ...incremental(file, ["--tolerance", "score=lots"])], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--tolerance score=lots/)
  })
})

import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { readJsonl } from "../testing/readJsonl.ts"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_warnings_8d1a"
const env = { SEGMENT_WRITE_KEY: WRITE_KEY }
const rule = '(TRACK "Churn Scored" v1)'

/** churn_score a number, segment required and one of three. */
const plan = {
  rules: [
    {
      type: "TRACK",
      key: "Churn Scored",
      version: 1,
      jsonSchema: {
        type: "object",
        properties: {
          properties: {
            type: "object",
            properties: { churn_score: { type: "number" }, segment: { type: "string", enum: ["high", "medium", "low"] } },
            required: ["churn_score", "segment"]
          }
        }
      }
    },
    // The removal event must carry a reason: tablecast's removals do not, so the plan stops them.
    {
      type: "TRACK",
      key: "Segment Exited",
      version: 1,
      jsonSchema: { type: "object", properties: { properties: { type: "object", required: ["reason"] } } }
    }
  ]
}

const ROWS = 3000
// Every 7th row: a segment the plan does not list; every 11th: no segment (required); every 13th: both bad and a text score.
const segmentOf = (n: number) => (n % 7 === 0 ? "extreme" : n % 11 === 0 ? "" : ["high", "medium", "low"][n % 3]!)
const scoreOf = (n: number) => (n % 13 === 0 ? "" : `0.${(n % 90) + 10}`)
const csvOf = (numbers: ReadonlyArray<number>) =>
  `customer_id,churn_score,segment\n${numbers.map((n) => `c${n},${scoreOf(n)},${segmentOf(n)}`).join("\n")}\n`
const expectedViolations = (n: number): Array<string> => [
  ...(n % 13 === 0 ? [`properties.churn_score: required property missing ${rule}`] : []),
  ...(n % 7 === 0 ? [`properties.segment: must be one of "high", "medium", "low", got "extreme" ${rule}`] : []),
  ...(n % 7 !== 0 && n % 11 === 0 ? [`properties.segment: required property missing ${rule}`] : [])
]

let dir: string
let sink: Sink
let received: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-warnings-"))
  received = path.join(dir, "received.jsonl")
  sink = await startSink({ out: received, writeKeys: [WRITE_KEY] })
  await writeFile(path.join(dir, "scores.csv"), csvOf(Array.from({ length: ROWS }, (_, i) => i + 1)))
  await writeFile(path.join(dir, "plan.json"), JSON.stringify(plan))
})
afterEach(async () => {
  await sink.close()
})

const mapping = ["-f", "scores.csv", "-e", "Churn Scored", "-u", "customer_id", "--tracking-plan", "plan.json", "--tracking-plan-mode", "warn"]

describe("tablecast sync --tracking-plan-mode warn: the warnings file", () => {
  it("lists every warned row once, with its violations and values, and no other row; --worker and --no-worker write the same file", async () => {
    const files: Array<string> = []
    for (const worker of ["--worker", "--no-worker"]) {
      const rejects = `rejects${worker}.jsonl`
      const result = await runCli(["sync", ...mapping, worker, "--rejects", rejects, "--endpoint", sink.url, "--max-rps", "0", "--json"], {
        cwd: dir,
        env
      })
      expect(result.code, result.stderr).toBe(0)
      const report = JSON.parse(result.stdout) as DeliveryReport
      // Beside the rejects file by default, named in the report with the count.
      expect(report.trackingPlan?.warningsFile).toBe(`rejects${worker}.warnings.jsonl`)
      const lines = await readJsonl(path.join(dir, `rejects${worker}.warnings.jsonl`))
      const warned = Array.from({ length: ROWS }, (_, i) => i + 1).filter((n) => expectedViolations(n).length > 0)
      expect(report.trackingPlan?.rowsWithViolations).toBe(warned.length)
      expect(lines.map((line) => line.row)).toEqual(warned)
      for (const line of lines) {
        const n = line.row as number
        expect((line.violations as Array<{ text: string }>).map((violation) => violation.text)).toEqual(expectedViolations(n))
        expect(line.values).toEqual({ customer_id: `c${n}`, churn_score: scoreOf(n), segment: segmentOf(n) })
      }
      expect(lines.find((line) => line.row === 7)?.violations).toEqual([
        {
          rule: 'TRACK "Churn Scored" v1',
          property: "properties.segment",
          text: `properties.segment: must be one of "high", "medium", "low", got "extreme" ${rule}`
        }
      ])
      // Nothing was rejected: the rejects file is empty.
      expect(await readJsonl(path.join(dir, rejects))).toEqual([])
      files.push(await readFile(path.join(dir, `rejects${worker}.warnings.jsonl`), "utf8"))
    }
    expect(files[0]).toBe(files[1])
    await sink.close()
    expect((await readJsonl(received)).length).toBe(2 * ROWS)
  })

  it("--warnings names the file; the human summary names it with the count", async () => {
    const result = await runCli(["sync", ...mapping, "--warnings", "out/warned.ndjson", "--endpoint", sink.url, "--max-rps", "0"], {
      cwd: dir,
      env
    })
    expect(result.code, result.stderr).toBe(0)
    const count = (await readJsonl(path.join(dir, "out", "warned.ndjson"))).length
    expect(count).toBeGreaterThan(20)
    expect(result.stdout).toContain(`every row sent with warnings (${count.toLocaleString("en-US")}) written to out/warned.ndjson`)
    // Without a file, the summary says how to keep them.
    const without = await runCli(["sync", ...mapping, "--endpoint", sink.url, "--max-rps", "0", "--restart"], { cwd: dir, env })
    expect(without.code, without.stderr).toBe(0)
    expect(without.stdout).toContain("pass --warnings <file.jsonl> (or --rejects) to keep every row sent with warnings")
  })

  it("a resumed run keeps the rows its interrupted run settled and lists each warned row once", async () => {
    // The write key refused: the run stops at its first batch, its checkpoint left behind.
    const args = ["sync", ...mapping, "--warnings", "warned.jsonl", "--endpoint", sink.url, "--max-rps", "0", "--json"]
    const stopped = await runCli(args, { cwd: dir, env: { SEGMENT_WRITE_KEY: "wk_refused" } })
    expect(stopped.code, stopped.stderr).toBe(5)
    // It warned of the rows it read before the stop; none of them was delivered.
    expect((await readJsonl(path.join(dir, "warned.jsonl"))).length).toBeGreaterThan(0)
    const resumed = await runCli(args, { cwd: dir, env })
    expect(resumed.code, resumed.stderr).toBe(0)
    expect((JSON.parse(resumed.stdout) as DeliveryReport).resumedFrom).toBeDefined()
    const rows = (await readJsonl(path.join(dir, "warned.jsonl"))).map((line) => line.row as number)
    const warned = Array.from({ length: ROWS }, (_, i) => i + 1).filter((n) => expectedViolations(n).length > 0)
    expect(rows).toEqual(warned)
  })
})

describe("an incremental sync's removals against the tracking plan", () => {
  const incremental = (mode: "reject" | "warn", extra: ReadonlyArray<string> = [], command = "sync") =>
    runCli(
      [
        command,
        "-f",
        "few.csv",
        "-e",
        "Churn Scored",
        "-u",
        "customer_id",
        "--key",
        "customer_id",
        "--mode",
        "all",
        "--max-removed",
        "100%",
        "--tracking-plan",
        "plan.json",
        "--tracking-plan-mode",
        mode,
        ...(command === "sync" ? ["--rejects", "rejects.jsonl", "--endpoint", sink.url, "--json"] : []),
        ...extra
      ],
      { cwd: dir, env }
    )
  const exited = async () => {
    await sink.close()
    return (await readJsonl(received))
      .filter((message) => message.event === "Segment Exited")
      .map((message) => (message.properties as { customer_id: string }).customer_id)
  }

  it("reject: a removal the plan forbids is not sent, is rejected with its violation, and is tried again next run; warn sends it and lists it", async () => {
    await writeFile(path.join(dir, "few.csv"), csvOf([1, 2, 4, 5]))
    expect((await incremental("reject")).code).toBe(0)
    await writeFile(path.join(dir, "few.csv"), csvOf([1, 2, 4]))
    const stopped = await incremental("reject")
    expect(stopped.code, stopped.stderr).toBe(3)
    const report = JSON.parse(stopped.stdout) as DeliveryReport & { incremental: { rows: { removalsRejected?: number } } }
    expect(report.incremental.rows.removalsRejected).toBe(1)
    expect(report.rows.removalsRejected).toBe(1)
    const rejects = await readJsonl(path.join(dir, "rejects.jsonl"))
    expect(rejects.map((reject) => reject.reason)).toEqual([
      'removed key ["c5"]: properties.reason: required property missing (TRACK "Segment Exited" v1)'
    ])
    // The plan says so before anything is sent.
    const planned = await incremental("reject", [], "plan")
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toContain("removals    1 stopped by the tracking plan: not sent, their keys kept to be tried again")
    // Tried again: still in the state, stopped again.
    const again = await incremental("reject")
    expect((JSON.parse(again.stdout) as typeof report).incremental.rows.removalsRejected).toBe(1)
    // Warn: sent, and listed in the warnings file with its key.
    const warned = await incremental("warn")
    expect(warned.code, warned.stderr).toBe(0)
    const lines = await readJsonl(path.join(dir, "rejects.warnings.jsonl"))
    expect(lines.map((line) => [line.removedKey, (line.violations as Array<{ property: string }>)[0]?.property])).toEqual([
      ['["c5"]', "properties.reason"]
    ])
    // Sent once: the removal is gone from the state, the next run has nothing to remove.
    const after = await incremental("reject")
    expect(after.code, after.stderr).toBe(0)
    expect(await exited()).toEqual(["c5"])
  })
})

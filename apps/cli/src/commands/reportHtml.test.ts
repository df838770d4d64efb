import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { RunRecord } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_report_html_3f1a2b"
const SCORES = "customer_id,score,plan\nc1,0.5,free\nc2,0.7,pro\nc3,0.9,pro\n"

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-report-html-"))
  await writeFile(path.join(dir, "scores.csv"), SCORES)
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const sync = (extra: ReadonlyArray<string>) =>
  runCli(["sync", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--progress", "none", "--endpoint", sink!.url, ...extra], {
    cwd: dir,
    env: { SEGMENT_WRITE_KEY: WRITE_KEY }
  })

describe("the HTML run report from the CLI", () => {
  it("sync --report-html writes the run's report; runs show --html writes a recorded run's against the one before", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const first = await sync(["--report-html", "first.html"])
    expect(first.code, first.stderr).toBe(0)
    const firstHtml = await readFile(path.join(dir, "first.html"), "utf8")
    expect(firstHtml).toMatch(/^<!doctype html>/)
    expect(firstHtml).toContain("No earlier run of this sync is in the history")
    expect(firstHtml).not.toContain(WRITE_KEY)

    expect((await sync([])).code).toBe(0)
    const listed = await runCli(["runs", "--json"], { cwd: dir })
    const [newest, oldest] = (JSON.parse(listed.stdout) as { runs: ReadonlyArray<RunRecord> }).runs
    const shown = await runCli(["runs", "show", newest!.id, "--html", "second.html"], { cwd: dir })
    expect(shown.code, shown.stderr).toBe(0)
    const secondHtml = await readFile(path.join(dir, "second.html"), "utf8")
    expect(secondHtml).toContain(`Run ${newest!.id}`)
    expect(secondHtml).toContain(`Compared with run ${oldest!.id}`)
  })

  it("plan --report-html writes the plan's report, with its counts beside the previous run's", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    expect((await sync(["--key", "customer_id"])).code).toBe(0)
    await writeFile(path.join(dir, "scores.csv"), "customer_id,score,plan\nc1,0.5,free\nc2,0.8,pro\nc3,0.9,pro\nc4,0.1,free\n")
    const planned = await runCli(
      ["plan", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--key", "customer_id", "--report-html", "plan.html"],
      {
        cwd: dir
      }
    )
    expect(planned.code, planned.stderr).toBe(0)
    const html = await readFile(path.join(dir, "plan.html"), "utf8")
    expect(html).toContain("1 added, 1 changed, 2 unchanged, 0 removed")
    expect(html).toContain("Compared with run")
  })

  it("makes a report with --no-history too (the run's record, kept nowhere)", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const result = await sync(["--no-history", "--report-html", "report.html"])
    expect(result.code, result.stderr).toBe(0)
    expect(await readFile(path.join(dir, "report.html"), "utf8")).toContain("tablecast run report")
  })

  it("checks the report's file before anything is sent: a folder that is a file stops the run with exit 11", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    const result = await sync(["--report-html", "scores.csv/report.html"])
    expect(result.code).toBe(11)
    expect(result.stderr).toMatch(/^tablecast: --report-html /m)
    expect(sink.stats().requests).toBe(0)
  })

  it("runs show --html: exit 11 when the file cannot be written, and no file for a run not in the history (exit 2)", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    expect((await sync([])).code).toBe(0)
    const listed = await runCli(["runs", "--json"], { cwd: dir })
    const [run] = (JSON.parse(listed.stdout) as { runs: ReadonlyArray<RunRecord> }).runs
    const unwritable = await runCli(["runs", "show", run!.id, "--html", "scores.csv/report.html"], { cwd: dir })
    expect(unwritable.code).toBe(11)
    expect(unwritable.stderr).toMatch(/^tablecast: --html .*cannot write the report/m)
    expect((await runCli(["runs", "show", "20990101T000000000Z-000000", "--html", "nope.html"], { cwd: dir })).code).toBe(2)
  })
})

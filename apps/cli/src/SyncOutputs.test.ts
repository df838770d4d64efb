import { mkdtemp, readdir, readFile, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

// Through the built CLI, against `tablecast sink`: what a user meets when an output cannot be
// written, and what a failing run says on stderr.

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const example = path.join(repo, "examples/sales-predictions.csv")
const WRITE_KEY = "wk_test_4f9a8c1e2b7d"
const env = { SEGMENT_WRITE_KEY: WRITE_KEY }

let dir: string
let sink: Sink | undefined
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-outputs-"))
})
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const sync = (endpoint: string, extra: ReadonlyArray<string>) => [
  "sync",
  "--file",
  example,
  "--event",
  "Sales Prediction",
  "--customer-id",
  "customer_id",
  "--endpoint",
  endpoint,
  "--progress",
  "none",
  ...extra
]

const lines = (text: string) => text.split("\n").filter((line) => line !== "")

describe("tablecast sync: outputs are checked before anything is read or sent", () => {
  it("creates the folder of --report, and writes the report there", async () => {
    sink = await startSink()
    const report = path.join(dir, "reports", "today", "run.json")
    const result = await runCli(sync(sink.url, ["--report", report]), { env, cwd: dir })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect((JSON.parse(await readFile(report, "utf8")) as DeliveryReport).outcome).toBe("completed")
    expect(await readdir(path.dirname(report))).toEqual(["run.json"])
  })

  it("an unusable --report, --rejects or state folder: one line naming the flag and the path, exit 11, nothing sent", async () => {
    sink = await startSink()
    const file = path.join(dir, "a-file")
    await writeFile(file, "")
    const precious = path.join(dir, "precious.txt")
    await writeFile(precious, "keep me\n")
    const link = path.join(dir, "rejects.jsonl")
    await symlink(precious, link)
    const cases: Array<[ReadonlyArray<string>, RegExp]> = [
      [
        ["--report", path.join(file, "report.json")],
        /^tablecast: --report .*a-file\/report\.json: a part of the path is a file, not a folder \(ENOTDIR\)$/
      ],
      [["--rejects", link], /^tablecast: --rejects .*rejects\.jsonl: it is a symbolic link, and tablecast never writes through one/],
      [["--report", link], /^tablecast: --report .*rejects\.jsonl: it is a symbolic link/],
      [
        ["--state-dir", path.join(file, "state")],
        /^tablecast: --state-dir .*a-file\/state\/.*\.checkpoint\.json: a part of the path is a file, not a folder/
      ]
    ]
    for (const [flags, message] of cases) {
      const result = await runCli(sync(sink.url, flags), { env, cwd: dir })
      expect(result.code).toBe(11)
      expect(lines(result.stderr)).toHaveLength(1)
      expect(result.stderr.trim()).toMatch(message)
      expect(result.stdout).toBe("")
    }
    expect(sink.stats().requests).toBe(0)
    expect(await readFile(precious, "utf8")).toBe("keep me\n")
  })

  it("a rejects file that fails mid-run stops the run cleanly with its report: exit 11", async () => {
    sink = await startSink()
    const csv = path.join(dir, "scores.csv")
    await writeFile(csv, `${["customer_id,score", "1,0.1", ",0.2", "3,0.3"].join("\n")}\n`)
    // /dev/full takes the open, then fails every write with ENOSPC: a disk that filled up.
    const result = await runCli(
      ["sync", "-f", csv, "-e", "Scored", "-u", "customer_id", "--endpoint", sink.url, "--rejects", "/dev/full", "--json"],
      { env, cwd: dir }
    )
    expect(result.code).toBe(11)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.outcome).toBe("aborted")
    expect(report.fatal).toEqual({ kind: "output", message: "cannot write the rejects file /dev/full: no space left on the device (ENOSPC)" })
    expect(result.stderr).toBe("tablecast: cannot write the rejects file /dev/full: no space left on the device (ENOSPC)\n")
  })
})

describe("tablecast sync: a failing run says why on stderr, once", () => {
  it("a refused write key: one line on stderr that does not repeat itself; with --json, stdout stays JSON", async () => {
    sink = await startSink({ writeKeys: ["the-right-key"] })
    const result = await runCli(sync(sink.url, ["--json"]), { env, cwd: dir })
    expect(result.code).toBe(5)
    const report = JSON.parse(result.stdout) as DeliveryReport
    expect(report.fatal?.kind).toBe("auth")
    expect(lines(result.stderr)).toEqual([`tablecast: ${report.fatal!.message}`])
    expect(result.stderr).toMatch(/^tablecast: the endpoint refused the write key \(HTTP 401[:)]/)
    expect(result.stderr.match(/refused the write key/g)).toHaveLength(1)
    expect(result.stderr.match(/HTTP 401/g)).toHaveLength(1)
    expect(result.stderr.match(/check the key/g)).toHaveLength(1)
  })

  it("a source without the sync's columns (exit 6) says so on stderr", async () => {
    sink = await startSink()
    const result = await runCli(sync(sink.url, ["--properties", "iphone,android"]), { env, cwd: dir })
    expect(result.code).toBe(6)
    expect(lines(result.stderr)).toHaveLength(1)
    expect(result.stderr).toMatch(/^tablecast: the sync names a column the source does not have: "android"/)
  })

  it("a refused connection reads 'network error' once", async () => {
    const result = await runCli(sync("http://127.0.0.1:9", ["--max-attempts", "1", "--json"]), { env, cwd: dir })
    expect(result.code).toBe(4)
    const report = JSON.parse(result.stdout) as DeliveryReport
    // A run-level failure: one fatal reason, no reject per queued row.
    expect(report.fatal?.kind).toBe("unreachable")
    expect(report.rejects.total).toBe(0)
    const reason = report.fatal!.message
    expect(reason).toMatch(/last: network error: connect ECONNREFUSED 127\.0\.0\.1:9\)/)
    expect(reason).not.toMatch(/network error: network error/)
    expect(lines(result.stderr)).toEqual([`tablecast: ${reason}`])
  })
})

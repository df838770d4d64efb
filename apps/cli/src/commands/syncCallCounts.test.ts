import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

const WRITE_KEY = "wk_test_call_counts_5c2e"
const ACCOUNTS = 1200

let dir: string
let sink: Sink
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tablecast-call-counts-"))
  let csv = "account_id,owner_id,churn_risk\n"
  for (let n = 1; n <= ACCOUNTS; n++) csv += `acct-${n},u-${n},${(n % 100) / 100}\n`
  await writeFile(path.join(dir, "accounts.csv"), csv)
  sink = await startSink({ writeKeys: [WRITE_KEY] })
})
afterEach(async () => {
  await sink.close()
})

const sync = (args: ReadonlyArray<string>) =>
  runCli(["sync", "-f", "accounts.csv", "-u", "owner_id", "--progress", "none", "--endpoint", sink.url, ...args], {
    cwd: dir,
    env: { SEGMENT_WRITE_KEY: WRITE_KEY }
  })

/** The "Messages by call" row of an HTML report's summary: this run's cell, or undefined without the row. */
const messagesByCall = async (file: string): Promise<string | undefined> =>
  /<th scope="row">Messages by call<\/th><td>([^<]*)<\/td>/.exec(await readFile(path.join(dir, file), "utf8"))?.[1]

describe("the messages of each call type where a person reads a run", () => {
  it("a sync of identify and group calls counts each in its summary and its HTML report", async () => {
    const result = await sync(["--type", "identify,group", "--group-id", "account_id", "--report-html", "run.html"])
    expect(result.code, result.stderr).toBe(0)
    // The heading names the sync by its calls, not by its messageIds' namespace (`identify,group:`).
    expect(result.stdout).toMatch(/^tablecast sync identify \+ group: completed in /)
    expect(result.stdout).toMatch(/messages {3}2,400 built \(1,200 identify, 1,200 group\), 2,400 accepted/)
    expect(await messagesByCall("run.html")).toBe("1,200 identify, 1,200 group")
    const listed = await runCli(["runs", "--json"], { cwd: dir })
    const [recorded] = (JSON.parse(listed.stdout) as { runs: ReadonlyArray<{ id: string }> }).runs
    const shown = await runCli(["runs", "show", recorded!.id], { cwd: dir })
    expect(shown.stdout).toMatch(/\n {2}by call {6}1200 identify, 1200 group\n/)

    const dryRun = await sync(["--type", "track,identify", "-e", "Account Scored", "--dry-run"])
    expect(dryRun.code, dryRun.stderr).toBe(0)
    expect(dryRun.stdout).toMatch(/messages {3}2,400 built \(1,200 identify, 1,200 track\), none sent \(dry run\)/)
  })

  it("a sync of one call type says nothing more than its messages", async () => {
    const result = await sync(["-e", "Account Scored", "--report-html", "run.html"])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/messages {3}1,200 built, 1,200 accepted/)
    expect(await messagesByCall("run.html")).toBeUndefined()
  })
})

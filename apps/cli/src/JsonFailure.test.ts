import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { startSink } from "@tablecast/sink"
import { describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

const WRITE_KEY = "wk_json_failure_secret"

const scratch = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "tablecast-json-"))
  await writeFile(path.join(dir, "scores.csv"), "customer_id,score\nc1,0.5\nc2,0.7\n")
  return dir
}

/** stdout parsed as one JSON object (throws when it holds anything else). */
const onlyJson = (stdout: string) => JSON.parse(stdout) as { error?: { code: number; kind: string; message: string } } & Record<string, unknown>

describe("--json: a failure is one JSON object on stdout too", () => {
  it("a usage error, a mistyped command, a source that fails before the run", async () => {
    const dir = await scratch()
    const usage = await runCli(["sync", "--evnt", "X", "--json"], { cwd: dir })
    expect(usage.code).toBe(2)
    expect(onlyJson(usage.stdout)).toEqual({
      error: { code: 2, kind: "usage", message: "Nonexistent flag: --evnt; --evnt: did you mean --event?" }
    })
    const command = await runCli(["synk", "--json"], { cwd: dir })
    expect(command.code).toBe(2)
    expect(onlyJson(command.stdout).error).toMatchObject({ code: 2, kind: "usage" })
    for (const args of [
      ["sync", "-f", "nope.csv", "-e", "X", "-u", "customer_id", "--write-key", WRITE_KEY],
      ["preview", "-f", "nope.csv", "-e", "X", "-u", "customer_id"],
      ["inspect", "--file", "nope.csv"]
    ]) {
      const result = await runCli([...args, "--json"], { cwd: dir })
      expect(result.code, args[0]).toBe(6)
      expect(onlyJson(result.stdout).error, args[0]).toEqual({ code: 6, kind: "sourceFailed", message: expect.stringMatching(/nope\.csv/) })
      expect(result.stdout).not.toContain(WRITE_KEY)
    }
  })

  it("a run that started and failed: the error beside the report's fields; the write key nowhere", async () => {
    const dir = await scratch()
    const sink = await startSink({ writeKeys: ["another-key"] })
    try {
      const result = await runCli(["sync", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--endpoint", sink.url, "--json"], {
        cwd: dir,
        env: { SEGMENT_WRITE_KEY: WRITE_KEY }
      })
      expect(result.code).toBe(5)
      const json = onlyJson(result.stdout)
      expect(json.error).toMatchObject({ code: 5, kind: "authRefused", message: expect.stringMatching(/refused the write key/) })
      expect(json).toMatchObject({ outcome: "aborted", rows: { read: expect.any(Number) }, fatal: { kind: "auth" } })
      expect(result.stdout + result.stderr).not.toContain(WRITE_KEY)
    } finally {
      await sink.close()
    }
  })

  it("preview --json: one object with the messages; rows that would be rejected are its error, exit 3", async () => {
    const dir = await scratch()
    await writeFile(path.join(dir, "gaps.csv"), "customer_id,score\nc1,0.5\n,0.7\n")
    const clean = await runCli(["preview", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--json"], { cwd: dir })
    expect(clean.code).toBe(0)
    const json = onlyJson(clean.stdout) as { messages: Array<{ userId: string; event: string }> }
    expect(json.messages.map((message) => message.userId)).toEqual(["c1", "c2"])
    const gaps = await runCli(["preview", "-f", "gaps.csv", "-e", "Scored", "-u", "customer_id", "--json"], { cwd: dir })
    expect(gaps.code).toBe(3)
    expect(onlyJson(gaps.stdout)).toMatchObject({ error: { code: 3, kind: "rowsRejected" }, rejects: [{ row: 2 }] })
  })

  it("sink --json: an address in use is a JSON error", async () => {
    const busy = await startSink()
    try {
      const result = await runCli(["sink", "--port", String(busy.port), "--json"])
      expect(result.code).toBe(2)
      expect(onlyJson(result.stdout).error).toMatchObject({ code: 2, kind: "usage", message: expect.stringMatching(/cannot listen there/) })
    } finally {
      await busy.close()
    }
  })
})

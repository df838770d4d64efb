import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

const ESC = "\u001b["

/**
 * Colour follows no-color.org: none without a terminal (every test here runs without one), forced
 * by FORCE_COLOR, and off with NO_COLOR or --no-color whatever else says.
 */
describe("colour: NO_COLOR, --no-color, FORCE_COLOR", () => {
  it("help: colour only when forced, none with NO_COLOR or --no-color", async () => {
    expect((await runCli(["sync", "--help"])).stdout).not.toContain(ESC)
    expect((await runCli(["sync", "--help"], { env: { FORCE_COLOR: "1" } })).stdout).toContain(ESC)
    expect((await runCli(["sync", "--help"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } })).stdout).not.toContain(ESC)
    expect((await runCli(["sync", "--help", "--no-color"], { env: { FORCE_COLOR: "1" } })).stdout).not.toContain(ESC)
    expect((await runCli(["help", "sync", "--no-color"], { env: { FORCE_COLOR: "1" } })).stdout).not.toContain(ESC)
  })

  it("every command takes --no-color; a run's report, progress and errors hold no colour", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-colour-"))
    await writeFile(path.join(dir, "scores.csv"), "customer_id,score\nc1,0.5\nc2,0.7\n")
    const sync = await runCli(["sync", "-f", "scores.csv", "-e", "Scored", "-u", "customer_id", "--dry-run", "--progress", "bar", "--no-color"], {
      cwd: dir,
      env: { FORCE_COLOR: "1" }
    })
    expect(sync.code).toBe(0)
    expect(sync.stdout + sync.stderr).not.toContain(ESC)
    for (const args of [["preview", "-f", "scores.csv", "-e", "S", "-u", "customer_id"], ["inspect", "--file", "scores.csv"], ["help"]]) {
      const result = await runCli([...args, "--no-color"], { cwd: dir, env: { FORCE_COLOR: "1" } })
      expect(result.code, args[0]).toBe(0)
      expect(result.stdout + result.stderr, args[0]).not.toContain(ESC)
    }
    const usage = await runCli(["sync", "--evnt", "X"], { cwd: dir, env: { NO_COLOR: "1", FORCE_COLOR: "1" } })
    expect(usage.stderr).not.toContain(ESC)
  })
})

import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

describe("tablecast autocomplete (@oclif/plugin-autocomplete)", () => {
  it("prints the setup for bash and writes a completion script naming the commands and sync's flags", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "tablecast-home-"))
    const env = { HOME: home, XDG_CACHE_HOME: path.join(home, ".cache") }
    const setup = await runCli(["autocomplete", "bash"], { env })
    expect(setup.code).toBe(0)
    expect(setup.stdout).toContain("tablecast autocomplete script bash")
    const script = await readFile(path.join(home, ".cache", "tablecast", "autocomplete", "functions", "bash", "tablecast.bash"), "utf8")
    for (const command of ["sync", "plan", "preview", "inspect", "sink", "help"]) expect(script).toMatch(new RegExp(`^${command}\\b`, "m"))
    const syncLine = script.split("\n").find((line) => line.startsWith("sync "))
    for (const flag of ["--event", "--customer-id", "--endpoint", "--json", "--dry-run", "--color"]) expect(syncLine).toContain(flag)
  })

  it("zsh and powershell too; another shell is a usage error", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "tablecast-home-"))
    const env = { HOME: home, XDG_CACHE_HOME: path.join(home, ".cache") }
    expect((await runCli(["autocomplete", "zsh"], { env })).code).toBe(0)
    expect((await runCli(["autocomplete", "powershell"], { env })).code).toBe(0)
    expect((await runCli(["autocomplete", "fish"], { env })).code).toBe(2)
  })
})

import { describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

describe("tablecast help", () => {
  it("shows a command's help as --help does, and lists the commands without one", async () => {
    const viaHelp = await runCli(["help", "sync"])
    const viaFlag = await runCli(["sync", "--help"])
    expect(viaHelp.code).toBe(0)
    expect(viaHelp.stdout).toContain("$ tablecast sync")
    expect(viaHelp.stdout).toBe(viaFlag.stdout)
    const overview = await runCli(["help"])
    expect(overview.code).toBe(0)
    expect(overview.stdout).toMatch(/^\s+sync\s+Send the rows of a table/m)
    expect(overview.stdout).toMatch(/^\s+help\s+Show help/m)
  })

  it("names a command that does not exist, exit 2", async () => {
    const result = await runCli(["help", "nope"])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("nope is not a tablecast command")
  })
})

describe("tablecast help --json", () => {
  it("a command's flags, arguments and examples as JSON; every command's without one", async () => {
    const sync = await runCli(["help", "sync", "--json"])
    expect(sync.code).toBe(0)
    const json = JSON.parse(sync.stdout) as { id: string; flags: Array<{ name: string; type: string; options?: Array<string> }> }
    expect(json.id).toBe("sync")
    expect(json.flags.find((flag) => flag.name === "event")).toMatchObject({ type: "option" })
    expect(json.flags.find((flag) => flag.name === "progress")?.options).toEqual(["auto", "bar", "lines", "none"])
    const all = JSON.parse((await runCli(["help", "--json"])).stdout) as { commands: Array<{ id: string }> }
    expect(all.commands.map((command) => command.id)).toEqual(
      expect.arrayContaining(["sync", "plan", "preview", "inspect", "sink", "help", "autocomplete"])
    )
  })

  it("a mistyped command: did you mean, exit 2, as JSON with --json", async () => {
    const result = await runCli(["help", "synk"])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe("tablecast: synk is not a tablecast command; did you mean sink or sync?\nSee 'tablecast help'.\n")
    const json = await runCli(["help", "synk", "--json"])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 2, kind: "usage", message: "synk is not a tablecast command; did you mean sink or sync?" }
    })
  })
})

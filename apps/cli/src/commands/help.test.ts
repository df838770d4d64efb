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
    expect(result.stderr).toContain("nope not found")
  })
})

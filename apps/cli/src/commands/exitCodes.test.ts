import { readFileSync } from "node:fs"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { COMMANDS } from "../commandList.ts"
import { runCli } from "../testing/runCli.ts"

const exitCodesDoc = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../docs/exit-codes.md"), "utf8")

const scratch = async (files: Record<string, string>): Promise<string> => {
  const dir = await mkdtemp(path.join(tmpdir(), "tablecast-exit-"))
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
  return dir
}

/** The codes docs/exit-codes.md gives for a command: the first column of the table under its heading. */
const documentedCodes = (command: string): ReadonlyArray<number> => {
  const section = exitCodesDoc.split(/^## /m).find((part) => part.startsWith(`\`tablecast ${command}\``))
  if (section === undefined) return []
  return [...section.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]))
}

describe("exit codes, documented for every command", () => {
  it("docs/exit-codes.md has a table for each command, and each command's --help points there", async () => {
    // oclif's ids join a topic and its command with ":"; the CLI and the docs with a space.
    const ids = [...Object.keys(COMMANDS), "autocomplete"].map((id) => id.replaceAll(":", " "))
    for (const id of ids) {
      expect(documentedCodes(id), id).toContain(0)
      expect(documentedCodes(id), id).toContain(2)
    }
    for (const id of ids.filter((id) => id !== "help")) {
      const help = await runCli([...id.split(" "), "--help"])
      expect(help.stdout, id).toMatch(new RegExp(`EXIT CODES\\s+docs/exit-codes\\.md, section "tablecast ${id}"`))
    }
    // `tablecast help --help` is the overview, as in git and npm.
    expect((await runCli(["help", "--help"])).stdout).toMatch(/EXIT CODES\s+Every command's exit codes: docs\/exit-codes\.md/)
  })

  it("inspect: 0 inspected, 2 bad flags, 6 the source failed, 11 --write-config cannot be written", async () => {
    const dir = await scratch({ "scores.csv": "id,score\nu1,0.5\nu2,0.7\n" })
    expect(documentedCodes("inspect")).toEqual([0, 1, 2, 6, 11])
    expect((await runCli(["inspect", "--file", "scores.csv"], { cwd: dir })).code).toBe(0)
    expect((await runCli(["inspect", "--file", "scores.csv", "--samples", "-1"], { cwd: dir })).code).toBe(2)
    const missing = await runCli(["inspect", "--file", "nope.csv"], { cwd: dir })
    expect(missing.code).toBe(6)
    expect(missing.stderr).toMatch(/nope\.csv/)
    // A config file under a file, not a folder.
    const unwritable = await runCli(["inspect", "--file", "scores.csv", "--write-config", "scores.csv/tablecast.config.json"], { cwd: dir })
    expect(unwritable.code).toBe(11)
    expect(unwritable.stderr).toMatch(/^tablecast: --write-config /)
  })

  it("preview: 0 every row maps, 2 bad flags, 3 some rows would be rejected, 6 the source failed", async () => {
    const dir = await scratch({ "scores.csv": "id,score\nu1,0.5\n,0.7\n" })
    expect(documentedCodes("preview")).toEqual([0, 1, 2, 3, 6])
    const preview = (args: ReadonlyArray<string>) => runCli(["preview", "-e", "Scored", "-u", "id", ...args], { cwd: dir })
    expect((await preview(["-f", "scores.csv", "-n", "1"])).code).toBe(0)
    expect((await preview(["-f", "scores.csv", "--limit", "0"])).code).toBe(2)
    const rejected = await preview(["-f", "scores.csv"])
    expect(rejected.code).toBe(3)
    expect(rejected.stderr).toMatch(/row 2 .*would be rejected/)
    expect((await preview(["-f", "nope.csv"])).code).toBe(6)
  })

  it("sink: 0 stopped by SIGTERM after printing its counts, 2 bad flags, 11 --out cannot be written", async () => {
    const dir = await scratch({ "taken.txt": "" })
    expect(documentedCodes("sink")).toEqual([0, 1, 2, 11])
    const stopped = await runCli(["sink", "--port", "0", "--json"], { cwd: dir, stopWhenStderr: /listening on/ })
    expect(stopped.code).toBe(0)
    expect(JSON.parse(stopped.stdout)).toMatchObject({ requests: 0 })
    expect((await runCli(["sink", "--port", "70000"], { cwd: dir })).code).toBe(2)
    const unwritable = await runCli(["sink", "--port", "0", "--out", "taken.txt/received.jsonl"], { cwd: dir })
    expect(unwritable.code).toBe(11)
  })
})

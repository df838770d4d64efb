import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
import { terminalJson, terminalText } from "./TerminalText.ts"
import { runCli } from "./testing/runCli.ts"

// Bytes a terminal acts on: ESC (colours, cursor moves, title rewrites), BEL, CR, the C1 CSI.
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

describe("terminalText", () => {
  it("shows every control character as an escape, on one line, and leaves other text alone", () => {
    expect(terminalText("a\u001b[2Jb\r\n\tc\u0007\u009b1m é ✓")).toBe("a\\u001b[2Jb\\r\\n\\tc\\u0007\\u009b1m é ✓")
    expect(terminalText("plain text")).toBe("plain text")
  })

  it("keeps JSON valid and equal, escaping what JSON.stringify leaves raw", () => {
    const value = { "h\u009bx": "v\u007f\u2028" }
    const json = terminalJson(JSON.stringify(value))
    expect(json).not.toMatch(TERMINAL_CONTROL)
    expect(JSON.parse(json)).toEqual(value)
  })
})

describe("tablecast commands print input's control characters escaped", () => {
  it("a CSV header and values holding terminal escape sequences: inspect, preview and sync print them escaped", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-terminal-"))
    const file = path.join(dir, "hostile.csv")
    const header = "customer_id,score\u001b]0;pwned\u0007,note\u001b[2J\u009b31m"
    await writeFile(file, `${header}\n1,0.5,hello\u001b[31mred\n2,0.7,"line\rrewritten"\n`)
    const inspect = await runCli(["inspect", "-f", file])
    expect(inspect.code).toBe(0)
    expect(inspect.stdout).toContain("score\\u001b]0;pwned\\u0007")
    expect(inspect.stdout + inspect.stderr).not.toMatch(TERMINAL_CONTROL)

    const preview = await runCli(["preview", "-f", file, "-e", "E", "-u", "customer_id", "--column", "score\u001b]0;pwned\u0007=number"])
    expect(preview.code).toBe(0)
    expect(preview.stdout + preview.stderr).not.toMatch(TERMINAL_CONTROL)
    expect(JSON.parse(preview.stdout.split("\n")[0]!).properties).toHaveProperty("note\u001b[2J\u009b31m", "hello\u001b[31mred")

    // A column the file lacks: the reason lists the file's columns, header and all.
    const sync = await runCli(["sync", "-f", file, "-e", "E", "-u", "customer_id", "-p", "missing", "--dry-run", "--progress", "none"])
    expect(sync.code).toBe(6)
    expect(sync.stderr).toContain("score\\u001b]0;pwned\\u0007")
    expect(sync.stdout + sync.stderr).not.toMatch(TERMINAL_CONTROL)
  })
})

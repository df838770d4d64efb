import { mkdtemp, readFile, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { startSink } from "@tablecast/sink"
import { describe, expect, it } from "vitest"
import { runCli } from "../testing/runCli.ts"

describe("tablecast sink", () => {
  it("a port in use: one line naming --host and --port, exit 2", async () => {
    const busy = await startSink()
    try {
      const result = await runCli(["sink", "--port", String(busy.port)])
      expect(result.code).toBe(2)
      expect(result.stderr).toBe(
        `tablecast: --host 127.0.0.1 --port ${busy.port}: cannot listen there: address already in use (EADDRINUSE); choose another --port (0 picks a free one)\n`
      )
    } finally {
      await busy.close()
    }
  })

  it("an --out that is a symbolic link is refused before listening: exit 11, its target untouched", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-sink-"))
    const precious = path.join(dir, "precious.txt")
    await writeFile(precious, "keep me\n")
    const link = path.join(dir, "received.jsonl")
    await symlink(precious, link)
    const result = await runCli(["sink", "--port", "0", "--out", link])
    expect(result.code).toBe(11)
    expect(result.stderr).toMatch(/^tablecast: --out .*received\.jsonl: it is a symbolic link/)
    expect(await readFile(precious, "utf8")).toBe("keep me\n")
  })
})

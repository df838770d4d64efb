import { spawn } from "node:child_process"
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"

const cliRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const dist = path.join(cliRoot, "dist")

/** The built CLI on a Node without node:sqlite (--no-experimental-sqlite: the module does not exist). */
const runWithoutSqlite = (args: ReadonlyArray<string>, cwd: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--no-experimental-sqlite", path.join(cliRoot, "bin/run.js"), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: cwd, SEGMENT_WRITE_KEY: "wk_test_lazy_sqlite" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

/** The bundle's files loaded with dist/tablecast.js, before any import(): it and its static imports, transitively. */
const loadedAtStart = async (file: string, seen = new Set<string>()): Promise<Set<string>> => {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = await readFile(path.join(dist, file), "utf8")
  for (const [, chunk] of text.matchAll(/(?:from|import)\s*"\.\/(chunk-[^"]+\.js)"/g)) await loadedAtStart(chunk!, seen)
  return seen
}

let sink: Sink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

describe("nothing loads node:sqlite unless a run uses the SQLite state store", () => {
  it("the bundle imports node:sqlite from no file loaded at start, and statically from none at all", async () => {
    const atStart = await loadedAtStart("tablecast.js")
    expect(atStart.size).toBeGreaterThan(1)
    for (const file of atStart) expect(await readFile(path.join(dist, file), "utf8"), file).not.toContain("node:sqlite")
    for (const file of (await readdir(dist)).filter((name) => name.endsWith(".js") && (name.startsWith("chunk-") || name === "tablecast.js")))
      expect(await readFile(path.join(dist, file), "utf8"), file).not.toMatch(/from\s*"node:sqlite"/)
  })

  it("a plain CSV sync delivers every row on a Node without node:sqlite; an incremental one there fails on its state store", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-no-sqlite-"))
    await writeFile(path.join(dir, "scores.csv"), "customer_id,score\nc1,0.5\nc2,0.25\nc3,0.75\n")
    sink = await startSink()
    const sync = [
      "sync",
      "--file",
      "scores.csv",
      "--event",
      "Scored",
      "--customer-id",
      "customer_id",
      "--endpoint",
      sink.url,
      "--progress",
      "none",
      "--json"
    ]

    const plain = await runWithoutSqlite(sync, dir)
    expect(plain.code, plain.stderr).toBe(0)
    expect((JSON.parse(plain.stdout) as DeliveryReport).messages.accepted).toBe(3)

    // The same Node, a run that does use the SQLite store: it cannot, which shows the flag took effect.
    const incremental = await runWithoutSqlite([...sync, "--key", "customer_id"], dir)
    expect(incremental.code).toBe(9)
    expect(incremental.stderr).toMatch(/node:sqlite/)
  })
})

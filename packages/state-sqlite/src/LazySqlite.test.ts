import { spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
// The sources, as the package's other child-process tests run them (Node strips the types).
const built = path.join(packageRoot, "src/index.ts")

/** Runs an ES module on a Node where node:sqlite does not exist (--no-experimental-sqlite). */
const withoutSqlite = (code: string) =>
  spawnSync(
    process.execPath,
    [
      "--no-experimental-sqlite",
      "--no-warnings",
      "--experimental-transform-types",
      "--conditions=@tablecast/source",
      "--input-type=module",
      "-e",
      code
    ],
    { encoding: "utf8", cwd: packageRoot }
  )

describe("node:sqlite is loaded by the first connection, not by the import", () => {
  it("the package imports on a Node without node:sqlite, and a store opens only where it exists", () => {
    const file = JSON.stringify(path.join(mkdtempSync(path.join(tmpdir(), "tablecast-sqlite-")), "state.db"))
    const imported = withoutSqlite(
      `const { sqliteSnapshotStore } = await import(${JSON.stringify(built)}); sqliteSnapshotStore(${file}); console.log("imported")`
    )
    expect({ status: imported.status, stdout: imported.stdout }).toEqual({ status: 0, stdout: "imported\n" })

    const opening = `
      const { sqliteSnapshotStore } = await import(${JSON.stringify(built)})
      const Effect = await import("effect/Effect")
      const store = sqliteSnapshotStore(${file})
      await Effect.runPromise(Effect.scoped(store.open("probe")))`
    const opened = withoutSqlite(opening)
    expect(opened.status).not.toBe(0)
    expect(opened.stderr).toMatch(/SQLite state store .*state\.db: .*node:sqlite is not available in Node\.js v/)
  })
})

describe("the store's SQL runs on the lowest supported Node", () => {
  it("uses no numbered parameters (?2), which Node 22.15's node:sqlite binds as named ones and refuses", async () => {
    const { readdir, readFile } = await import("node:fs/promises")
    const sources = (await readdir(path.join(packageRoot, "src"))).filter((file) => file.endsWith(".ts") && !file.includes(".test."))
    expect(sources.length).toBeGreaterThan(2)
    for (const file of sources) expect(await readFile(path.join(packageRoot, "src", file), "utf8"), file).not.toMatch(/\?\d/)
  })
})

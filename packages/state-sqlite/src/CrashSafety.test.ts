import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { fileURLToPath } from "node:url"
import { StateError } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import { afterAll, describe, expect, it } from "vitest"
import { sqliteSnapshotStore } from "./SqliteSnapshotStore.ts"

const folder = mkdtempSync(join(tmpdir(), "tablecast-state-sqlite-crash-"))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const BATCH_KEYS = 50
const childScript = fileURLToPath(new URL("./CommitLoop.testkit.ts", import.meta.url))

/** Starts the child on this Node, reading the sources as the tests do. */
const startChild = (args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, ["--no-warnings", "--experimental-transform-types", "--conditions=@tablecast/source", childScript, ...args], {
    stdio: ["ignore", "pipe", "pipe"]
  })

/** Resolves with the lines the child printed once `enough` says so, or rejects when it exits first. */
const watch = (child: ChildProcess, enough: (lines: ReadonlyArray<string>) => boolean): Promise<Array<string>> =>
  new Promise((resolve, reject) => {
    const lines: Array<string> = []
    let partial = ""
    let stderr = ""
    child.stderr!.on("data", (data: Buffer) => (stderr += data.toString()))
    child.stdout!.on("data", (data: Buffer) => {
      const parts = (partial + data.toString()).split("\n")
      partial = parts.pop() ?? ""
      lines.push(...parts)
      if (enough(lines)) resolve(lines)
    })
    child.on("exit", (code, signal) => reject(new Error(`child exited (${code ?? signal}) early: ${stderr}`)))
  })

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

describe("crash safety", () => {
  it("a process killed (SIGKILL) amid a stream of commits leaves exactly a prefix of its commits", async () => {
    const file = join(folder, "crash", "state.db")
    let next = 0
    for (let round = 0; round < 3; round++) {
      // Each round reopens the same sync: the lock row the killed process left is taken over.
      const child = startChild(["commits", file, "orders", String(next), String(BATCH_KEYS)])
      const stopAfter = 40 + Math.floor(Math.random() * 200)
      const lines = await watch(child, (lines) => lines.length >= stopAfter)
      await killed(child)
      const reported = Math.max(...lines.filter((line) => line.startsWith("committed ")).map((line) => Number(line.slice(10))))

      const db = new DatabaseSync(file)
      try {
        expect(db.prepare("PRAGMA integrity_check").get()?.integrity_check).toBe("ok")
        const counter = Number(db.prepare(`SELECT fingerprint FROM snapshot WHERE sync = 'orders' AND key = '["counter"]'`).get()?.fingerprint)
        // Every batch a "committed" line announced is there; perhaps one more, committed just before the kill.
        expect(counter).toBeGreaterThanOrEqual(reported)
        const batches = db
          .prepare(`SELECT fingerprint, count(*) AS n FROM snapshot WHERE sync = 'orders' AND key <> '["counter"]' GROUP BY fingerprint`)
          .all()
          .map((row) => [Number(String(row.fingerprint).slice(6)), Number(row.n)] as const)
          .sort(([a], [b]) => a - b)
        // Exactly batches 0..counter, each whole: no torn commit, nothing after the last one.
        expect(batches).toEqual(Array.from({ length: counter + 1 }, (_, batch) => [batch, BATCH_KEYS]))
        next = counter + 1
      } finally {
        db.close()
      }
    }
    console.log(`sqlite crash safety: 3 kills, ${next} whole commits of ${BATCH_KEYS + 1} rows kept`)
  })

  it("a run in another process holds the sync until that process dies", async () => {
    const file = join(folder, "held.db")
    const child = startChild(["hold", file, "orders"])
    try {
      await watch(child, (lines) => lines.includes("holding"))
      const refused = await Effect.runPromise(Effect.flip(Effect.scoped(sqliteSnapshotStore(file).open("orders"))))
      expect(refused).toBeInstanceOf(StateError)
      expect(refused.message).toContain(`SQLite state store ${file}: another run holds the snapshot of "orders" (pid ${child.pid} on `)
      // Another sync of the same file is free.
      await Effect.runPromise(Effect.scoped(sqliteSnapshotStore(file).open("customers")))
    } finally {
      await killed(child)
    }
    // The dead holder's lock row is left behind and taken over.
    const size = await Effect.runPromise(Effect.scoped(Effect.map(sqliteSnapshotStore(file).open("orders"), (run) => run.size)))
    expect(size).toBe(0)
  })
})

import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { checkpointFile, checkpointFileName, interruptedRun } from "./CheckpointFile.ts"

describe("checkpointFile", () => {
  it("keeps overlapping saves apart and in order: the last one stands, no temporary file is left", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-checkpoint-"))
    const file = path.join(dir, "state", "sync.checkpoint.json")
    const store = checkpointFile(file)
    const save = (watermark: number) =>
      Effect.runPromise(store.save({ version: 1, sync: "s", fingerprint: "f", watermark, complete: false, updatedAt: new Date(0).toISOString() }))
    // Started together, as a save cut short by the end of a run overlaps the final one.
    await Promise.all(Array.from({ length: 25 }, (_, i) => save(i + 1)))
    expect(JSON.parse(await readFile(file, "utf8")).watermark).toBe(25)
    expect(await readdir(path.dirname(file))).toEqual(["sync.checkpoint.json"])
    expect((await Effect.runPromise(store.load))?.watermark).toBe(25)
  })

  it("writes version 2 with the undelivered rows, and reads it back", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-checkpoint-"))
    const file = path.join(dir, "sync.checkpoint.json")
    const store = checkpointFile(file)
    const checkpoint = {
      version: 2 as const,
      sync: "s",
      fingerprint: "f",
      watermark: 3_699,
      undelivered: [[3_101, 3_699] as const],
      messageIdScheme: 2,
      complete: false,
      updatedAt: new Date(0).toISOString()
    }
    await Effect.runPromise(store.save(checkpoint))
    expect(await Effect.runPromise(store.load)).toEqual(checkpoint)
    expect(interruptedRun(file)).toEqual({ watermark: 3_699, undelivered: [[3_101, 3_699]] })
  })

  it("still reads a version-1 checkpoint: no undelivered rows", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-checkpoint-"))
    const file = path.join(dir, "sync.checkpoint.json")
    const v1 = { version: 1, sync: "s", fingerprint: "f", watermark: 41_200, complete: false, updatedAt: "2026-11-02T10:00:00.000Z" }
    await writeFile(file, JSON.stringify(v1))
    expect(await Effect.runPromise(checkpointFile(file).load)).toEqual(v1)
    expect(interruptedRun(file)).toEqual({ watermark: 41_200, undelivered: [] })
    await writeFile(file, JSON.stringify({ ...v1, complete: true }))
    expect(interruptedRun(file)).toBeUndefined()
  })

  it("refuses a version-2 checkpoint whose ranges do not check", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-checkpoint-"))
    const file = path.join(dir, "sync.checkpoint.json")
    const bad = { version: 2, sync: "s", fingerprint: "f", watermark: 10, undelivered: [[9, 3]], complete: false, updatedAt: "t" }
    await writeFile(file, JSON.stringify(bad))
    await expect(Effect.runPromise(checkpointFile(file).load)).rejects.toThrow(/not a tablecast checkpoint/)
    expect(interruptedRun(file)).toBeUndefined()
  })
})

describe("interruptedRun", () => {
  it("has nothing to resume without a file, or with one that is not JSON", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tablecast-checkpoint-"))
    const file = path.join(dir, "sync.checkpoint.json")
    expect(interruptedRun(file)).toBeUndefined()
    await writeFile(file, "{ not json")
    expect(interruptedRun(file)).toBeUndefined()
    await expect(Effect.runPromise(checkpointFile(file).load)).rejects.toThrow(/cannot read the checkpoint .*JSON/)
  })
})

describe("checkpointFileName", () => {
  it("is readable, and differs by source", () => {
    const name = checkpointFileName("churn scores/daily", '{"type":"csv","path":"a.csv"}')
    expect(name).toMatch(/^churn-scores-daily-[0-9a-f]{8}\.checkpoint\.json$/)
    expect(checkpointFileName("churn scores/daily", '{"type":"csv","path":"b.csv"}')).not.toBe(name)
  })
})

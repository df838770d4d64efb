import { mkdtemp, readdir, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import { checkpointFile } from "./CheckpointFile.ts"

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
})

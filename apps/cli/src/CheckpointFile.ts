import { readFile } from "node:fs/promises"
import { type Checkpoint, CheckpointError, type CheckpointStoreShape } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as z from "zod"
import { describeFsError, writeFileAtomically } from "./OutputFiles.ts"

const CheckpointJson = z.object({
  version: z.literal(1),
  sync: z.string(),
  fingerprint: z.string(),
  watermark: z.number().int().min(0),
  complete: z.boolean(),
  updatedAt: z.string()
})

/** A file name for a sync's checkpoint: readable, and unique per sync and source. */
export const checkpointFileName = (sync: string, sourceDescription: string): string => {
  const slug =
    sync
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "sync"
  // FNV-1a: a short, stable suffix; collisions only merge two checkpoints' names, and each file
  // still names its sync inside, which the pipeline checks.
  let hash = 0x811c9dc5
  for (const char of `${sync}\n${sourceDescription}`) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return `${slug}-${hash.toString(16).padStart(8, "0")}.checkpoint.json`
}

/**
 * A checkpoint in a small JSON file, replaced atomically (write a temporary file, then rename):
 * a crash mid-write leaves the previous checkpoint whole, never a torn one.
 */
export const checkpointFile = (file: string): CheckpointStoreShape => {
  // Saves run one at a time, in order: a save cut short by the end of a run (its promise goes on)
  // must neither collide with the last save's temporary file nor land after it with an older mark.
  let previous: Promise<void> = Promise.resolve()
  // Temporary file, then rename, never through a link (OutputFiles).
  const write = (checkpoint: Checkpoint) => writeFileAtomically(file, `${JSON.stringify(checkpoint, null, 2)}\n`)
  return {
    location: file,
    load: Effect.tryPromise({
      try: async () => {
        let text: string
        try {
          text = await readFile(file, "utf8")
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
          throw error
        }
        const parsed = CheckpointJson.safeParse(JSON.parse(text))
        if (!parsed.success) throw new Error(`it is not a tablecast checkpoint (delete it, or run with --restart)`)
        return parsed.data satisfies Checkpoint
      },
      catch: (error) => new CheckpointError({ message: `cannot read the checkpoint ${file}: ${(error as Error).message}` })
    }),
    save: (checkpoint) =>
      Effect.tryPromise({
        try: () => {
          const saved = previous.then(() => write(checkpoint))
          previous = saved.catch(() => {})
          return saved
        },
        catch: (error) => new CheckpointError({ message: `cannot write the checkpoint ${file}: ${describeFsError(error)}` })
      })
  }
}

import { readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { type Checkpoint, CheckpointError, type CheckpointStoreShape, MAX_ROW_RANGES } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as z from "zod"
import { writeFileAtomically } from "./AtomicFile.ts"
import { describeFsError } from "./FsErrorText.ts"

const row = z.number().int().min(1)

/** Version 1 (a watermark), or version 2 (with the rows up to it that were not delivered). */
const CheckpointJson = z.union([
  z.object({
    version: z.literal(1),
    sync: z.string(),
    fingerprint: z.string(),
    watermark: z.number().int().min(0),
    complete: z.boolean(),
    updatedAt: z.string()
  }),
  z.object({
    version: z.literal(2),
    sync: z.string(),
    fingerprint: z.string(),
    watermark: z.number().int().min(0),
    undelivered: z
      .array(z.tuple([row, row]).refine(([from, to]) => from <= to, "a range's first row is after its last"))
      .max(MAX_ROW_RANGES)
      .default([]),
    messageIdScheme: z.number().int().min(1).optional(),
    complete: z.boolean(),
    updatedAt: z.string()
  })
])

/**
 * A checkpoint file's text, checked: the one reading of the format, for the store's `load` and for
 * `interruptedRun`. Text that is not JSON throws (its parser's message); JSON that is not a
 * checkpoint gives undefined.
 */
const decodeCheckpoint = (text: string): Checkpoint | undefined => {
  const parsed = CheckpointJson.safeParse(JSON.parse(text))
  return parsed.success ? (parsed.data satisfies Checkpoint) : undefined
}

/** What a resumed run keeps of an interrupted run's rejects file: the rows its checkpoint settled. */
export interface SettledRows {
  readonly watermark: number
  /** Rows up to the watermark that the resumed run reads and sends again. */
  readonly undelivered: ReadonlyArray<readonly [number, number]>
}

/** The rows a checkpoint settled, when its run did not complete (so the next one resumes it). */
export const settledRowsOf = (checkpoint: Checkpoint): SettledRows | undefined =>
  checkpoint.complete
    ? undefined
    : { watermark: checkpoint.watermark, undelivered: checkpoint.version === 2 ? (checkpoint.undelivered ?? []) : [] }

/** The settled rows of an interrupted run's checkpoint file, if there is one to resume (synchronous, before the run). */
export const interruptedRun = (file: string): SettledRows | undefined => {
  try {
    const checkpoint = decodeCheckpoint(readFileSync(file, "utf8"))
    return checkpoint === undefined ? undefined : settledRowsOf(checkpoint)
  } catch {
    return undefined
  }
}

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
  // Temporary file, then rename, never through a link.
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
        const checkpoint = decodeCheckpoint(text)
        if (checkpoint === undefined) throw new Error(`it is not a tablecast checkpoint (delete it, or run with --restart)`)
        return checkpoint
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

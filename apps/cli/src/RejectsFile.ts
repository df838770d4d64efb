import { createReadStream, createWriteStream } from "node:fs"
import { mkdir, rename } from "node:fs/promises"
import path from "node:path"
import { createInterface } from "node:readline"
import { RejectSink, RowRangeSet } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { SettledRows } from "./CheckpointFile.ts"

const jsonSafe = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value)

/**
 * Writes every rejected row as one JSON line: row number, stage, reason, column, messageId and
 * status where known, and the row's values for validation rejects, so the file can be fixed and
 * sent again. Respects the stream's backpressure; closed (and flushed) with the scope. A resumed
 * run (`resumeAfter` = what the checkpoint settled) keeps the rejects of the rows the interrupted
 * run settled and appends its own, so each row is listed once.
 */
/**
 * Keeps the rejects of rows up to `watermark`: those the interrupted run settled for good. The
 * rows after it, and those its checkpoint lists as undelivered, are read again by the resumed run,
 * which reports them anew.
 */
const keepSettled = async (file: string, settled: SettledRows): Promise<void> => {
  const { watermark } = settled
  const again = new RowRangeSet(settled.undelivered)
  const temporary = `${file}.${process.pid}.tmp`
  const out = createWriteStream(temporary)
  try {
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })
    for await (const line of lines) {
      if (line === "") continue
      let row: unknown
      try {
        row = (JSON.parse(line) as { row?: unknown }).row
      } catch {
        continue
      }
      if (typeof row === "number" && row <= watermark && !again.has(row) && !out.write(`${line}\n`)) {
        await new Promise<void>((resolve) => out.once("drain", () => resolve()))
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
  } finally {
    await new Promise<void>((resolve) => out.end(() => resolve()))
  }
  await rename(temporary, file)
}

export const rejectsFile = (file: string, resumeAfter?: SettledRows) =>
  Layer.effect(
    RejectSink,
    Effect.gen(function* () {
      const stream = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            await mkdir(path.dirname(path.resolve(file)), { recursive: true })
            if (resumeAfter !== undefined) await keepSettled(file, resumeAfter)
            const stream = createWriteStream(file, { flags: resumeAfter === undefined ? "w" : "a" })
            await new Promise<void>((resolve, reject) => {
              stream.once("open", () => resolve())
              stream.once("error", reject)
            })
            return stream
          },
          catch: (error) => new Error(`cannot write the rejects file ${file}: ${(error as Error).message}`)
        }),
        (stream) => Effect.promise(() => new Promise<void>((resolve) => stream.end(() => resolve())))
      )
      return {
        write: (rejects) =>
          Effect.promise(async () => {
            const text = rejects.map((reject) => JSON.stringify(reject, jsonSafe)).join("\n") + "\n"
            if (!stream.write(text)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()))
          })
      }
    })
  )

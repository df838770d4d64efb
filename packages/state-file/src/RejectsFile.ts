import { constants, createReadStream, type WriteStream } from "node:fs"
import { mkdir, open, rename } from "node:fs/promises"
import path from "node:path"
import { createInterface } from "node:readline"
import { OutputError, RejectSink, RowRangeSet, WarningSink } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { SettledRows } from "./CheckpointFile.ts"
import { describeFsError } from "./FsErrorText.ts"

/** Flags to open a streamed output without following a link: truncate, or append. */
const streamOpenFlags = (append: boolean): number =>
  constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (append ? constants.O_APPEND : constants.O_TRUNC)

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
  const out = (await open(temporary, streamOpenFlags(false), 0o644)).createWriteStream()
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

/** Ends a stream, whether or not it failed. */
const close = (stream: WriteStream) =>
  new Promise<void>((resolve) => {
    if (stream.destroyed) return resolve()
    stream.once("error", () => resolve())
    stream.end(() => resolve())
  })

/**
 * A JSONL output written as a run goes (the rejects, the warnings): one JSON line per record, with
 * the stream's backpressure, closed with the scope. `resumeAfter` keeps the lines of rows the
 * interrupted run settled. `what` names the output in errors ("the rejects file").
 */
export const jsonLinesOutput = (file: string, what: string, resumeAfter?: SettledRows) =>
  Effect.gen(function* () {
    const cannotWrite = (error: unknown) => `cannot write ${what} ${file}: ${describeFsError(error)}`
    const stream = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await mkdir(path.dirname(path.resolve(file)), { recursive: true })
          if (resumeAfter !== undefined) await keepSettled(file, resumeAfter)
          // Never through a symbolic link: O_NOFOLLOW fails on one instead of writing where it points.
          const handle = await open(file, streamOpenFlags(resumeAfter !== undefined), 0o644)
          return handle.createWriteStream()
        },
        catch: (error) => new Error(cannotWrite(error))
      }).pipe(
        // The preflight checked the file before the run: failing to open it now is unexpected (exit 1).
        Effect.orDie
      ),
      (stream) => Effect.promise(() => close(stream))
    )
    // A failed write (a full disk) also fails the stream: keep it, so no error goes unhandled.
    let failure: unknown
    stream.on("error", (error) => {
      failure ??= error
    })
    return {
      write: (records: ReadonlyArray<unknown>) =>
        Effect.tryPromise({
          try: () =>
            new Promise<void>((resolve, reject) => {
              if (failure !== undefined) return reject(failure)
              const text = `${records.map((record) => JSON.stringify(record, jsonSafe)).join("\n")}\n`
              // The callback comes once the text is written (or failed): that is the backpressure.
              stream.write(text, (error) => (error ? reject(error) : resolve()))
            }),
          catch: (error) => new OutputError({ message: cannotWrite(failure ?? error) })
        })
    }
  })

export const rejectsFile = (file: string, resumeAfter?: SettledRows) =>
  Layer.effect(RejectSink, jsonLinesOutput(file, "the rejects file", resumeAfter))

/**
 * Writes every row sent with tracking-plan warnings as one JSON line: row number, violations (rule,
 * property, text) and the row's values, as the rejects file carries them. A resumed run keeps the
 * lines of the rows the interrupted run settled, as the rejects file does, so each row is listed once.
 */
export const warningsFile = (file: string, resumeAfter?: SettledRows) =>
  Layer.effect(WarningSink, jsonLinesOutput(file, "the warnings file", resumeAfter))

import { createWriteStream } from "node:fs"
import { mkdir } from "node:fs/promises"
import path from "node:path"
import { RejectSink } from "@tablecast/core"
import { Effect, Layer } from "effect"

const jsonSafe = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value)

/**
 * Writes every rejected row as one JSON line: row number, stage, reason, column, messageId and
 * status where known, and the row's values for validation rejects, so the file can be fixed and
 * sent again. Respects the stream's backpressure; closed (and flushed) with the scope. A resumed
 * run appends, so the file keeps the rejects of the rows the interrupted run settled.
 */
export const rejectsFile = (file: string, mode: "replace" | "append" = "replace") =>
  Layer.effect(
    RejectSink,
    Effect.gen(function* () {
      const stream = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            await mkdir(path.dirname(path.resolve(file)), { recursive: true })
            const stream = createWriteStream(file, { flags: mode === "append" ? "a" : "w" })
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

import type { SourceError, SourceItem } from "@tablecast/core"
import { Cause, Effect, Stream } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { CsvReader, type ReaderProbe } from "./CsvReader.ts"
import type { CsvSourceOptions } from "./CsvSourceOptions.ts"
import { fileError } from "./FileErrors.ts"

/**
 * The rows of the file as a stream. The file is opened when the stream is first pulled and closed
 * when it ends, fails or is interrupted; each pull reads at most 64 KB, so the pipeline's pace sets
 * the reading pace. Running the stream again reads the file again.
 */
export const csvRows = (options: CsvSourceOptions, probe?: ReaderProbe): Stream.Stream<SourceItem, SourceError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const reader = yield* Effect.acquireRelease(
        Effect.tryPromise({ try: () => CsvReader.open(options, probe), catch: (error) => fileError(options.path, error) }),
        (reader) => Effect.promise(() => reader.close().catch(() => undefined))
      )
      const pull = Effect.tryPromise({
        try: () => reader.next(),
        catch: (error) => fileError(options.path, error)
      }).pipe(
        Effect.flatMap((chunk) =>
          chunk === undefined || chunk.length === 0
            ? Cause.done()
            : Effect.succeed(chunk as NonEmptyReadonlyArray<SourceItem>)
        )
      )
      return Stream.fromPull(Effect.succeed(pull))
    })
  )

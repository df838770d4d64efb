import type { RowSourceShape, SourceItem } from "@tablecast/core"
import { formatIssues, RowSource, SourceError } from "@tablecast/core"
import { Cause, Effect, Layer, Stream } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { CsvReader, type ReaderProbe } from "./CsvReader.ts"
import { CsvSourceOptions, type CsvSourceOptionsInput } from "./CsvSourceOptions.ts"
import { fileError } from "./FileErrors.ts"
import { estimateRows, fingerprintFile } from "./FileSample.ts"

/** Checks the options as the user wrote them; a problem is a `SourceError` naming the option. */
export const parseOptions = (input: CsvSourceOptionsInput): Effect.Effect<CsvSourceOptions, SourceError> => {
  const parsed = CsvSourceOptions.safeParse(input)
  return parsed.success
    ? Effect.succeed(parsed.data)
    : Effect.fail(
        new SourceError({ message: `invalid CSV source options:\n${formatIssues(parsed.error)}`, code: "options" })
      )
}

/**
 * The rows of the file as a stream. The file is opened when the stream is first pulled and closed
 * when it ends, fails or is interrupted; each pull reads at most 64 KB, so the pipeline's pace sets
 * the reading pace. Running the stream again reads the file again.
 */
export const rows = (options: CsvSourceOptions, probe?: ReaderProbe): Stream.Stream<SourceItem, SourceError> =>
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

/**
 * A CSV file as a `RowSource`. Fails at once if the options are wrong ("options") or the file cannot
 * be opened ("not-found", "io"); header problems and malformed lines show up while reading.
 */
export const make = Effect.fn("CsvSource.make")(function* (input: CsvSourceOptionsInput) {
  const options = yield* parseOptions(input)
  // Open and close once, so that a wrong path fails before anything is sent.
  yield* Effect.tryPromise({
    try: async () => {
      const reader = await CsvReader.open(options)
      await reader.close()
    },
    catch: (error) => fileError(options.path, error)
  })
  const source: RowSourceShape = {
    description: `CSV file ${options.path}`,
    estimatedRows: Effect.tryPromise({
      try: () => estimateRows(options.path, options.header),
      catch: (error) => fileError(options.path, error)
    }),
    fingerprint: Effect.tryPromise({
      try: () => fingerprintFile(options.path),
      catch: (error) => fileError(options.path, error)
    }),
    rows: rows(options)
  }
  return source
})

/** The `RowSource` layer for a CSV file. */
export const layer = (input: CsvSourceOptionsInput): Layer.Layer<RowSource, SourceError> =>
  Layer.effect(RowSource, make(input))

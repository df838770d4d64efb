import type { RowSourceShape } from "@tablecast/core"
import { RowSource, type SourceError } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { decideColumnTypes } from "./CsvColumnTypes.ts"
import { CsvReader } from "./CsvReader.ts"
import { csvPreparedRows, csvRows } from "./CsvRows.ts"
import { type CsvSourceOptionsInput, parseOptions } from "./CsvSourceOptions.ts"
import { fileError } from "./FileErrors.ts"
import { estimateRows, fingerprintFile } from "./FileSample.ts"

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
    rows: csvRows(options),
    // `auto` decided per column from the file's first rows, read once more (not held in memory).
    columnTypes: Effect.tryPromise({
      try: () => decideColumnTypes(options),
      catch: (error) => fileError(options.path, error)
    }),
    // In the worker thread, mapping runs beside the reading, off the thread that sends.
    ...(options.worker
      ? { prepare: (spec, library, columnTypes, contract) => csvPreparedRows(options, spec, library, undefined, columnTypes, contract) }
      : {}),
    // Lets the pipeline check the sync's columns against the header before anything is sent.
    columns: Effect.tryPromise({
      try: async () => {
        const reader = await CsvReader.open(options)
        try {
          return await reader.columnNames()
        } finally {
          await reader.close()
        }
      },
      catch: (error) => fileError(options.path, error)
    })
  }
  return source
})

/** The `RowSource` layer for a CSV file. */
export const layer = (input: CsvSourceOptionsInput): Layer.Layer<RowSource, SourceError> => Layer.effect(RowSource, make(input))

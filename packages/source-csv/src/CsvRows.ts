import type { ColumnTypes, LibraryInfo, PortableContract, PreparedRow, SourceError, SourceItem, SyncSpec } from "@tablecast/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { CsvReader, type ReaderProbe } from "./CsvReader.ts"
import { CsvReaderThread } from "./CsvReaderThread.ts"
import type { CsvSourceOptions } from "./CsvSourceOptions.ts"
import { fileError } from "./FileErrors.ts"

interface ChunkReader<A> {
  readonly next: () => Promise<ReadonlyArray<A> | undefined>
  readonly close: () => Promise<void>
}

/** A reader's chunks as a stream: opened on the first pull, closed when the stream ends, fails or is interrupted. */
const readerStream = <A>(path: string, open: () => Promise<ChunkReader<A>>): Stream.Stream<A, SourceError> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const reader = yield* Effect.acquireRelease(Effect.tryPromise({ try: open, catch: (error) => fileError(path, error) }), (reader) =>
        Effect.promise(() => reader.close().catch(() => undefined))
      )
      const pull = Effect.tryPromise({
        try: () => reader.next(),
        catch: (error) => fileError(path, error)
      }).pipe(
        Effect.flatMap((chunk) => (chunk === undefined || chunk.length === 0 ? Cause.done() : Effect.succeed(chunk as NonEmptyReadonlyArray<A>)))
      )
      return Stream.fromPull(Effect.succeed(pull))
    })
  )

/**
 * The rows of the file as a stream. The file is opened when the stream is first pulled and closed
 * when it ends, fails or is interrupted; each pull reads at most 64 KB, so the pipeline's pace sets
 * the reading pace (a worker thread reads at most two chunks ahead). Running the stream again reads
 * the file again.
 */
export const csvRows = (options: CsvSourceOptions, probe?: ReaderProbe): Stream.Stream<SourceItem, SourceError> =>
  readerStream<SourceItem>(options.path, () =>
    options.worker ? (CsvReaderThread.open(options, probe) as Promise<ChunkReader<SourceItem>>) : CsvReader.open(options, probe)
  )

/**
 * The rows of the file mapped to their messages in the worker thread, beside the reading
 * (`RowSourceShape.prepare`): the thread that sends only batches them. Rows the mapping refuses
 * come as read, for the pipeline to reject.
 */
export const csvPreparedRows = (
  options: CsvSourceOptions,
  spec: SyncSpec,
  library: LibraryInfo,
  probe?: ReaderProbe,
  /** What `auto` means for each column (`RowSourceShape.columnTypes`): the worker maps as the pipeline does. */
  columnTypes?: ColumnTypes,
  /** The run's contract: the worker checks each row's messages too, and hands over as read the rows that break it. */
  contract?: PortableContract
): Stream.Stream<SourceItem | PreparedRow, SourceError> =>
  readerStream<SourceItem | PreparedRow>(options.path, () =>
    CsvReaderThread.open(options, probe, {
      spec,
      library,
      ...(columnTypes === undefined ? {} : { columnTypes }),
      ...(contract === undefined ? {} : { contract })
    })
  )

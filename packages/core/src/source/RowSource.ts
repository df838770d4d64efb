import type { PortableContract } from "../contract/MessageContract.ts"
import * as Context from "effect/Context"
import * as Schema from "effect/Schema"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ColumnTypes } from "../map/ColumnTyping.ts"
import type { BuiltMessage, LibraryInfo } from "../map/BuiltMessage.ts"
import type { RejectedRow } from "../report/RejectSink.ts"
import type { SyncSpec } from "../spec/SyncSpec.ts"

/** One row of the table, numbered from 1 in reading order (a CSV's data rows, a query's result). */
export interface SourceRow {
  readonly rowNumber: number
  readonly values: Readonly<Record<string, unknown>>
}

/**
 * A source could not be read. `row` and `column` name the place at fault when there is one; the
 * message never holds a password or a connection string.
 */
export class SourceError extends Schema.TaggedError<SourceError>()("SourceError", {
  message: Schema.String,
  /** Machine-readable cause: "not-found", "parse", "connection", "query", "auth", ... */
  code: Schema.String,
  /** Driver's own error code where there is one (e.g. Postgres SQLSTATE, Snowflake code). */
  driverCode: Schema.optional(Schema.String),
  row: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.String)
}) {}

/**
 * A row that the source itself could not turn into values (a malformed CSV line, invalid UTF-8).
 * It goes to the rejects output; reading goes on.
 */
export interface MalformedRow {
  readonly rowNumber: number
  readonly reason: string
  /** Physical line in the file, where that differs from the row number. */
  readonly line?: number
  readonly raw?: string
}

/** A row whose messages were built and checked before the run (a source's `prepare`, or rows a caller staged). */
export interface PreparedRow {
  readonly _tag: "Prepared"
  readonly rowNumber: number
  readonly messages: ReadonlyArray<BuiltMessage>
  /** The source checked these messages against the run's contract (`prepare`'s `contract`), and they keep it. */
  readonly checked?: boolean
}

/** What a source item is: a row to map, or a row the source had to refuse. */
export type SourceItem = SourceRow | { readonly _tag: "Malformed"; readonly malformed: MalformedRow }

export const isMalformed = (item: SourceItem | PreparedRow): item is { readonly _tag: "Malformed"; readonly malformed: MalformedRow } =>
  "_tag" in item && item._tag === "Malformed"

export const isPrepared = (item: SourceItem | PreparedRow): item is PreparedRow => "_tag" in item && item._tag === "Prepared"

/** A row the source could not read, as a reject. */
export const malformedReject = (malformed: MalformedRow): RejectedRow => ({
  row: malformed.rowNumber,
  ...(malformed.line === undefined ? {} : { line: malformed.line }),
  stage: "source",
  reason: malformed.reason
})

export interface ColumnInfo {
  readonly name: string
  /** The source's own type name (e.g. "numeric", "TIMESTAMP_TZ", "text"). */
  readonly sourceType: string
}

/**
 * A table reader. Rows arrive as a stream, a page at a time, so memory stays flat: the stream is
 * pulled only as fast as the pipeline's bounded queue takes rows, so a full queue pauses the reader.
 */
/** The warehouse's own estimate of a read's cost, e.g. BigQuery's dry run. */
export interface ScanEstimate {
  /** Bytes the read processes (what BigQuery bills on demand). */
  readonly bytesProcessed: number
  /** Where the figure comes from, e.g. "BigQuery dry run". */
  readonly source: string
}

export interface RowSourceShape {
  /** Human description for reports and progress, never holding a secret. */
  readonly description: string
  /** Row count if cheap to know up front (file size estimate, planner estimate), for the ETA. */
  readonly estimatedRows: Effect.Effect<number | undefined, SourceError>
  /**
   * A fingerprint of the data (file size and mtime, query text and table stats): a resumed run
   * compares it with the checkpoint's to detect a source that changed.
   */
  readonly fingerprint: Effect.Effect<string, SourceError>
  readonly rows: Stream.Stream<SourceItem, SourceError>
  /**
   * The column names, when the source knows them before the first row (a CSV header, a query's
   * result description). The pipeline checks the sync's named columns against them before it
   * sends anything. Sources of loose records (JSON rows) leave it out.
   */
  readonly columns?: Effect.Effect<ReadonlyArray<string>, SourceError>
  /**
   * What `auto` sends each column as, decided once per column before the first row is mapped:
   * from a warehouse's declared types, or from a file's first rows. A value that does not fit its
   * column's type later rejects its row; the column never changes type mid-run. The same source
   * must decide the same types on every run (a resumed run maps as the first did). Without it,
   * `auto` converts each value on its own.
   */
  readonly columnTypes?: Effect.Effect<ColumnTypes, SourceError>
  /**
   * What reading costs the warehouse, when it can say so without running the read (BigQuery's
   * dry run: the bytes the query processes, which is what it bills). `tablecast plan` shows it.
   */
  readonly scanEstimate?: Effect.Effect<ScanEstimate, SourceError>
  /**
   * For a source that holds part of a larger run's rows (an edge request's queue chunk): how many
   * times each content occurred before its first row, by `repeatKey` (the mapper's `repeatsBefore`),
   * so that its repeats get the ids one run over all the rows would give them.
   */
  readonly repeatsBefore?: ReadonlyMap<string, number>
  /**
   * The rows already mapped to messages, for a source that can map beside its reading (the CSV
   * source does it in its worker thread, so that mapping and sending run at once). It must build
   * what `compileMapper(spec, library, { columnTypes })` builds. A row it cannot map comes as a
   * plain row: the pipeline maps it again and rejects it with the reason. Without it, the pipeline
   * maps `rows`.
   */
  readonly prepare?: (
    spec: SyncSpec,
    library: LibraryInfo,
    columnTypes?: ColumnTypes,
    /** The run's contract: rows whose messages keep it come `checked`; the others come as read, for the run to check. */
    contract?: PortableContract
  ) => Stream.Stream<SourceItem | PreparedRow, SourceError>
}

export class RowSource extends Context.Service<RowSource, RowSourceShape>()("tablecast/RowSource") {}

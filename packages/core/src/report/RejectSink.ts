import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { ValueRule } from "../map/RowFailure.ts"

/** Where in the pipeline a row was refused. */
export type RejectStage =
  /** The source could not read it (malformed CSV line, invalid UTF-8). */
  | "source"
  /** Mapping or validation refused it (missing customer id, wrong type, over 32 KB). */
  | "validation"
  /** Segment refused its whole batch (400, 413, 422, ...). */
  | "batch-refused"
  /** Retries ran out, or the run stopped before its batch was acknowledged. */
  | "undelivered"

/** One row that did not reach Segment, with the reason. */
export interface RejectedRow {
  readonly row: number
  /** The file line where the row starts, for rows the source could not read. */
  readonly line?: number
  readonly stage: RejectStage
  readonly reason: string
  readonly column?: string
  readonly messageId?: string
  readonly status?: number
  /** The row's values (validation rejects only), so it can be fixed and sent again. */
  readonly values?: Readonly<Record<string, unknown>>
  /** For a reason that quotes the row's value: the rule it broke, said without the value. */
  readonly rule?: ValueRule
}

/**
 * A run's output (the rejects file, a checkpoint, a report) could not be written. The run stops
 * cleanly with its report: what was and was not delivered. The message names the file, never a secret.
 */
export class OutputError extends Schema.TaggedError<OutputError>()("OutputError", { message: Schema.String }) {}

/**
 * Receives every rejected row, in the order they are decided. The CLI writes them as JSONL. A
 * failed write (a full disk, a removed folder) stops the run as a fatal error of kind `output`.
 */
export interface RejectSinkShape {
  readonly write: (rejects: ReadonlyArray<RejectedRow>) => Effect.Effect<void, OutputError>
}

export class RejectSink extends Context.Service<RejectSink, RejectSinkShape>()("tablecast/RejectSink") {
  /** Keeps nothing: the report still counts every reject and samples the first ones. */
  static readonly discard = Layer.succeed(RejectSink, { write: () => Effect.void })
}

import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

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
}

/** Receives every rejected row, in the order they are decided. The CLI writes them as JSONL. */
export interface RejectSinkShape {
  readonly write: (rejects: ReadonlyArray<RejectedRow>) => Effect.Effect<void>
}

export class RejectSink extends Context.Service<RejectSink, RejectSinkShape>()("tablecast/RejectSink") {
  /** Keeps nothing: the report still counts every reject and samples the first ones. */
  static readonly discard = Layer.succeed(RejectSink, { write: () => Effect.void })
}

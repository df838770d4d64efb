import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { RowRange } from "./RowRanges.ts"

/**
 * What a run has settled, so a run after a crash, a stop or an outage resumes where this one
 * stopped. Written only after a 2xx (or a final refusal) moves the watermark, or when a run ends;
 * never ahead of delivery: a row up to the watermark that was not delivered is listed in
 * `undelivered`, and a resumed run sends it again.
 *
 * Version 2 added `undelivered` and `messageIdScheme`; a version-1 checkpoint (no list: every row
 * up to its watermark was settled) still loads and resumes.
 */
export interface Checkpoint {
  readonly version: 1 | 2
  /** The sync's namespace (its name, or type and event). */
  readonly sync: string
  /** The source's fingerprint when the run started: a resumed run must read the same data. */
  readonly fingerprint: string
  /**
   * Every row up to this one is settled: acknowledged, refused and reported, rejected, or listed in
   * `undelivered`.
   */
  readonly watermark: number
  /**
   * Rows up to the watermark that were not delivered (the run stopped first: the endpoint could not
   * be reached, the key was refused, a stop), as `[from, to]` ranges, at most `MAX_ROW_RANGES` of
   * them. A range may cover rows that were delivered; a resumed run sends those again under the
   * same messageIds. Version 2; absent or empty when none.
   */
  readonly undelivered?: ReadonlyArray<RowRange>
  /** The messageId scheme (`MESSAGE_ID_SCHEME`) of the run that wrote it. Version 2. */
  readonly messageIdScheme?: number
  /** Whether the run ended with every row settled (nothing to resume). */
  readonly complete: boolean
  readonly updatedAt: string
}

export class CheckpointError extends Schema.TaggedError<CheckpointError>()("CheckpointError", {
  message: Schema.String
}) {}

/** Loads and saves one sync's checkpoint. The CLI keeps it in a small JSON file, written atomically. */
export interface CheckpointStoreShape {
  /** Where the checkpoint lives, for messages. */
  readonly location: string
  readonly load: Effect.Effect<Checkpoint | undefined, CheckpointError>
  readonly save: (checkpoint: Checkpoint) => Effect.Effect<void, CheckpointError>
}

/** No store by default: a run without one neither resumes nor records (the edge, tests). */
export const CheckpointStore = Context.Reference<CheckpointStoreShape | undefined>("tablecast/CheckpointStore", {
  defaultValue: () => undefined
})

/** In memory, for tests and for callers that keep state themselves. */
export const memoryCheckpointStore = (initial?: Checkpoint): CheckpointStoreShape & { readonly saved: Array<Checkpoint> } => {
  const saved: Array<Checkpoint> = []
  let current = initial
  return {
    location: "memory",
    saved,
    load: Effect.sync(() => current),
    save: (checkpoint) =>
      Effect.sync(() => {
        current = checkpoint
        saved.push(checkpoint)
      })
  }
}

import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * What a run has settled for good, so a run after a crash resumes where this one stopped.
 * Written only after a 2xx (or a final refusal) moves the watermark, never ahead of delivery.
 */
export interface Checkpoint {
  readonly version: 1
  /** The sync's namespace (its name, or type and event). */
  readonly sync: string
  /** The source's fingerprint when the run started: a resumed run must read the same data. */
  readonly fingerprint: string
  /** Every row up to this one is settled for good: acknowledged, refused and reported, or rejected. */
  readonly watermark: number
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

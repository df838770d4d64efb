import * as Effect from "effect/Effect"
import type { CheckpointStoreShape } from "./Checkpoint.ts"
import { CheckpointFailed, SourceChanged, SourceFailed } from "../report/Fatal.ts"
import type { RowSourceShape } from "../source/RowSource.ts"
import { RowRangeSet } from "./RowRanges.ts"

/** Where a run starts: after an interrupted run's watermark, or (`resumedFrom` undefined) from the first row. */
export interface ResumePoint {
  /** The source's fingerprint, saved with every checkpoint. */
  readonly fingerprint: string
  readonly skipThrough: number
  /** Rows up to `skipThrough` that the interrupted run did not deliver: sent again, not skipped. */
  readonly carried: RowRangeSet
  readonly resumedFrom: number | undefined
}

/**
 * Reads the checkpoint: `auto` resumes an interrupted run of the same sync over the same source;
 * `restart`, a completed run, another sync or no store start from the first row. A source that
 * changed since the interrupted run cannot be resumed.
 */
export const resumePoint = (
  store: CheckpointStoreShape | undefined,
  source: Pick<RowSourceShape, "fingerprint">,
  sync: string,
  resume: "auto" | "restart" | undefined
): Effect.Effect<ResumePoint, SourceFailed | CheckpointFailed | SourceChanged> =>
  Effect.gen(function* () {
    const fromStart = { fingerprint: "", skipThrough: 0, carried: new RowRangeSet(), resumedFrom: undefined }
    if (store === undefined) return fromStart
    const fingerprint = yield* source.fingerprint.pipe(Effect.mapError((error) => new SourceFailed({ message: error.message })))
    const previous = yield* store.load.pipe(Effect.mapError((error) => new CheckpointFailed({ message: error.message })))
    if (previous === undefined || previous.complete || previous.sync !== sync || resume === "restart") return { ...fromStart, fingerprint }
    if (previous.fingerprint !== fingerprint) {
      return yield* Effect.fail(
        new SourceChanged({
          message: `the source changed since the interrupted run of ${previous.updatedAt} (its first ${previous.watermark} rows were delivered): resuming would skip rows that are not those; run again with --restart to send the source from the start (messageIds of unchanged rows are the same, so Segment deduplicates them)`
        })
      )
    }
    return { fingerprint, skipThrough: previous.watermark, carried: new RowRangeSet(previous.undelivered ?? []), resumedFrom: previous.watermark }
  })

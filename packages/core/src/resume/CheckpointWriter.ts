import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { Checkpoint, CheckpointStoreShape } from "./Checkpoint.ts"
import type { DeliveryTally } from "../report/DeliveryTally.ts"
import { MESSAGE_ID_SCHEME } from "../map/MessageId.ts"
import { CheckpointFailed, type Fatal } from "../report/Fatal.ts"
import type { RunPosition } from "./RunPosition.ts"

export interface CheckpointWriterInput {
  readonly store: CheckpointStoreShape | undefined
  readonly sync: string
  readonly fingerprint: string
  readonly position: RunPosition
  readonly tally: DeliveryTally
  readonly stop: (fatal: Fatal) => Effect.Effect<void>
}

/**
 * Saves the run's watermark as acknowledgements arrive, only when it moved (or at the end, as
 * complete or not). A store that fails stops the run. Without a store (a dry run), nothing.
 */
export const makeCheckpointWriter = (input: CheckpointWriterInput) => {
  const { store, position, tally } = input
  let savedState = JSON.stringify({ watermark: position.skipThrough, undelivered: position.carried.toArray() })
  return (complete: boolean): Effect.Effect<void> =>
    Effect.gen(function* () {
      if (store === undefined) return
      const state = complete ? { watermark: position.watermark(tally.messagesBuilt), undelivered: [] } : position.settledState(tally.messagesBuilt)
      const key = JSON.stringify(state)
      if (!complete && key === savedState) return
      const checkpoint: Checkpoint = {
        version: 2,
        sync: input.sync,
        fingerprint: input.fingerprint,
        watermark: state.watermark,
        undelivered: state.undelivered,
        messageIdScheme: MESSAGE_ID_SCHEME,
        complete,
        updatedAt: new Date(yield* Clock.currentTimeMillis).toISOString()
      }
      const saved = yield* store.save(checkpoint).pipe(
        Effect.as(true),
        Effect.catchTag("CheckpointError", (error) => input.stop(new CheckpointFailed({ message: error.message })).pipe(Effect.as(false)))
      )
      if (!saved) return
      savedState = key
      tally.checkpointSaved({
        location: store.location,
        watermark: state.watermark,
        complete,
        ...(state.undelivered.length === 0 ? {} : { undelivered: state.undelivered })
      })
    })
}

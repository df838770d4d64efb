import * as Context from "effect/Context"
import type { BuiltMessage } from "../map/BuiltMessage.ts"
import type { ProgressSnapshot } from "./Progress.ts"
import type { RejectedRow } from "./RejectSink.ts"

/**
 * Watches a run for its profile (`@tablecast/core/profile`): the messages as they are mapped, the
 * progress snapshots, the rejects. Each hook is called on the run's one thread and must be cheap
 * and never throw; absent (the default), the run calls nothing.
 */
export interface RunObserverShape {
  /** A chunk of messages just mapped (or prepared by a source or an incremental plan), before it is queued. */
  readonly onMessages: (messages: ReadonlyArray<BuiltMessage>) => void
  /** A progress snapshot of the delivery, taken at `nowMillis` (epoch milliseconds). */
  readonly onProgress: (snapshot: ProgressSnapshot, nowMillis: number) => void
  /** Rows rejected, at any stage. */
  readonly onRejects: (rejects: ReadonlyArray<RejectedRow>) => void
}

export const RunObserver = Context.Reference<RunObserverShape | undefined>("tablecast/RunObserver", { defaultValue: () => undefined })

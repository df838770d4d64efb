import * as Effect from "effect/Effect"
import type { DeliveryTally } from "./DeliveryTally.ts"
import type { RejectedRow, RejectSinkShape } from "./RejectSink.ts"
import { type Fatal, OutputFailed } from "./Fatal.ts"
import type { RunObserverShape } from "./RunObserver.ts"

/** Writes rejects: counted in the tally's sample, then passed to the sink. A sink that fails stops the run. */
export type RejectWriter = (rejects: ReadonlyArray<RejectedRow>) => Effect.Effect<void>

export const makeRejectWriter =
  (tally: DeliveryTally, sink: RejectSinkShape, stop: (fatal: Fatal) => Effect.Effect<void>, observer?: RunObserverShape): RejectWriter =>
  (rejects) =>
    rejects.length === 0
      ? Effect.void
      : Effect.suspend(() => {
          tally.recordRejects(rejects)
          observer?.onRejects(rejects)
          return sink.write(rejects).pipe(
            Effect.catchTag("OutputError", (error) => stop(new OutputFailed({ message: error.message }))),
            Effect.asVoid
          )
        })

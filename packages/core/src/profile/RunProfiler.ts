import type { BuiltMessage } from "../map/BuiltMessage.ts"
import type { ProgressSnapshot } from "../report/Progress.ts"
import type { RejectedRow } from "../report/RejectSink.ts"
import type { RunObserverShape } from "../report/RunObserver.ts"
import type { CustomerMovement, RunProfile } from "../report/RunProfile.ts"
import { PropertyProfiler } from "./PropertyProfiler.ts"
import { RejectExamples } from "./RejectExamples.ts"
import { Timeline } from "./Timeline.ts"

/**
 * Collects a run's profile as it runs: provide it as the run's `RunObserver`, then take
 * `profile(...)` at the end for the run's record. Its memory is bounded whatever the row count
 * (docs/operations/history.md says what it keeps).
 */
export class RunProfiler implements RunObserverShape {
  readonly #properties = new PropertyProfiler()
  readonly #timeline = new Timeline()
  readonly #rejects = new RejectExamples()

  readonly onMessages = (messages: ReadonlyArray<BuiltMessage>): void => {
    this.#properties.observe(messages)
  }

  readonly onProgress = (snapshot: ProgressSnapshot, nowMillis: number): void => {
    this.#timeline.observe(snapshot, nowMillis)
  }

  readonly onRejects = (rejects: ReadonlyArray<RejectedRow>): void => {
    this.#rejects.observe(rejects)
  }

  /** The profile so far; the timeline placed on the run's clock from its start (epoch milliseconds). */
  profile(input: { readonly startedAtMillis: number; readonly movement?: ReadonlyArray<CustomerMovement> | undefined }): RunProfile {
    return {
      properties: this.#properties.profiles(),
      propertiesLeftOut: this.#properties.leftOut,
      propertySample: this.#properties.sample,
      timeline: this.#timeline.points(input.startedAtMillis),
      rejectExamples: this.#rejects.examples(),
      ...(input.movement === undefined ? {} : { movement: input.movement })
    }
  }
}

import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type { DeliveryTally } from "../report/DeliveryTally.ts"
import type { PipelineOptions } from "../spec/PipelineOptions.ts"
import { type Fatal, RejectLimitExceeded } from "../report/Fatal.ts"

type Limits = Pick<PipelineOptions, "maxRejectedRows" | "maxRejectedShare" | "rejectProbeRows">

/** The counts the reject limit is judged on. */
export type RejectCounts = Pick<DeliveryTally, "rowsRead" | "rowsSkipped" | "rowsRejected" | "requests">

/** The reject limit judged on the rows read so far; undefined while within it. */
export const rejectLimitHit = (options: Limits, tally: RejectCounts, endOfSource: boolean): RejectLimitExceeded | undefined => {
  const considered = tally.rowsRead - tally.rowsSkipped
  const rejected = tally.rowsRejected
  const when = tally.requests > 0 ? "stopped" : "stopped before sending anything"
  if (options.maxRejectedRows !== undefined && rejected > options.maxRejectedRows) {
    return new RejectLimitExceeded({
      message: `${rejected} rows rejected, over the limit of ${options.maxRejectedRows}: ${when} (see the rejects for why)`
    })
  }
  if (
    options.maxRejectedShare !== undefined &&
    (considered >= options.rejectProbeRows || endOfSource) &&
    considered > 0 &&
    rejected / considered > options.maxRejectedShare
  ) {
    const percent = (n: number) => `${Math.round(n * 1000) / 10}%`
    return new RejectLimitExceeded({
      message: `${rejected} of ${considered} rows rejected (${percent(rejected / considered)}), over the limit of ${percent(options.maxRejectedShare)}: ${when} (see the rejects for why)`
    })
  }
  return undefined
}

/**
 * The reject limit as a gate: with a limit, nothing is sent before the first `rejectProbeRows`
 * rows are read and judged (or reading ends); over the limit the run stops.
 */
export class RejectGate {
  readonly limited: boolean

  private constructor(
    private readonly options: Limits,
    private readonly tally: DeliveryTally,
    private readonly probe: Deferred.Deferred<void>,
    private readonly stop: (fatal: Fatal) => Effect.Effect<void>
  ) {
    this.limited = options.maxRejectedRows !== undefined || options.maxRejectedShare !== undefined
  }

  static make = (options: Limits, tally: DeliveryTally, stop: (fatal: Fatal) => Effect.Effect<void>) =>
    Effect.gen(function* () {
      const gate = new RejectGate(options, tally, yield* Deferred.make<void>(), stop)
      if (!gate.limited) yield* Deferred.succeed(gate.probe, undefined)
      return gate
    })

  /** Completes once sending may begin. */
  get opened(): Effect.Effect<void> {
    return Deferred.await(this.probe)
  }

  /** After a chunk of rows: over the limit the run stops; past the probe rows, sending may begin. */
  get afterChunk(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (!this.limited) return Effect.void
      const hit = rejectLimitHit(this.options, this.tally, false)
      if (hit !== undefined) return this.stop(hit)
      return this.tally.rowsRead - this.tally.rowsSkipped >= this.options.rejectProbeRows ? Deferred.succeed(this.probe, undefined) : Effect.void
    })
  }

  /** Reading is over: the limit is judged on every row read, and sending may begin. */
  get endOfReading(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (!this.limited) return Effect.void
      const hit = rejectLimitHit(this.options, this.tally, true)
      return hit === undefined ? Deferred.succeed(this.probe, undefined) : this.stop(hit)
    })
  }
}

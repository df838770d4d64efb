import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type { DeliveryTally } from "../report/DeliveryTally.ts"
import { type Fatal, Interrupted } from "../report/Fatal.ts"

/** How a caller asks a run to stop (the CLI wires these to SIGINT/SIGTERM). */
export interface StopRequests {
  /** Completes on a request to stop reading, flush what is queued and in flight, and end. */
  readonly drain: Effect.Effect<void>
  /** Completes on a request to stop at once (a second signal). */
  readonly now: Effect.Effect<void>
}

/**
 * Stop control: a run ends at once on its first fatal cause (`abort`), or winds down on a graceful
 * stop (`stopping`: reading stops, what is queued and in flight is flushed, within a time limit).
 */
export class StopControl {
  /** Reading stops at its next chunk: set on a graceful stop. */
  stopping = false

  private constructor(
    private readonly tally: DeliveryTally,
    private readonly stopped: Deferred.Deferred<void>
  ) {}

  static make = (tally: DeliveryTally) => Effect.map(Deferred.make<void>(), (stopped) => new StopControl(tally, stopped))

  /** Completes when the run is to stop at once. */
  get stoppedAtOnce(): Effect.Effect<void> {
    return Deferred.await(this.stopped)
  }

  get isStoppedAtOnce(): Effect.Effect<boolean> {
    return Deferred.isDone(this.stopped)
  }

  /** Stops the run at once. The first cause stands, except that a stop at once replaces the graceful stop it cuts short. */
  readonly abort = (fatal: Fatal): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (fatal._tag === "Interrupted") this.tally.failReplacingStop(fatal)
      else this.tally.fail(fatal)
      return Deferred.succeed(this.stopped, undefined)
    })

  /**
   * Watches a caller's requests, in fibers of the current scope. On a drain request, reading stops
   * (`cutReading` ends it when it holds nothing), and the flush gets `drainTimeoutMillis` before
   * the run stops at once.
   */
  watch(requests: StopRequests, drainTimeoutMillis: number, cutReading: Effect.Effect<void>): Effect.Effect<void> {
    const drain = Effect.gen({ self: this }, function* () {
      yield* requests.drain
      this.stopping = true
      this.tally.fail(new Interrupted({ message: "stopped on request: reading stopped, what was queued and in flight was flushed" }))
      yield* cutReading
      yield* Effect.sleep(drainTimeoutMillis)
      yield* this.abort(new Interrupted({ message: `stopped on request; the flush took over ${drainTimeoutMillis} ms` }))
    })
    const now = requests.now.pipe(Effect.andThen(this.abort(new Interrupted({ message: "stopped at once on request" }))))
    return Effect.forkChild(drain).pipe(Effect.andThen(Effect.forkChild(now)), Effect.asVoid)
  }
}

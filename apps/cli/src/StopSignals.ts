import type { Sync } from "@tablecast/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"

/**
 * SIGINT/SIGTERM as the pipeline's stop requests: the first asks for a graceful stop (stop
 * reading, flush, write the checkpoint and the report), the second for an immediate one. The
 * checkpoint is consistent either way: it only ever holds acknowledged rows.
 */
export const stopSignals = (onSignal: (signal: NodeJS.Signals, count: number) => void) => {
  const drain = Deferred.makeUnsafe<void>()
  const now = Deferred.makeUnsafe<void>()
  let count = 0
  const handler = (signal: NodeJS.Signals) => {
    count++
    onSignal(signal, count)
    Deferred.doneUnsafe(count === 1 ? drain : now, Effect.void)
  }
  process.on("SIGINT", handler)
  process.on("SIGTERM", handler)
  const requests: Sync.StopRequests = { drain: Deferred.await(drain), now: Deferred.await(now) }
  return {
    requests,
    dispose: () => {
      process.off("SIGINT", handler)
      process.off("SIGTERM", handler)
    }
  }
}

/** What the CLI says on a stop signal: the first drains, a second stops at once. */
export const stopNotice = (signal: NodeJS.Signals, count: number): string =>
  count === 1
    ? `\ntablecast: ${signal}: stopping — no more reading; flushing what is queued and in flight (again to stop at once)`
    : `\ntablecast: ${signal}: stopping at once`

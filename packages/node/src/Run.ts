import path from "node:path"
import { OutputError, type RejectedRow, RejectSink, type SourceError, VERSION } from "@tablecast/core"
import { SegmentTransport, type SegmentTransportOptionsError } from "@tablecast/segment"
import { rejectsFile } from "@tablecast/state-file"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { OptionsError, SourceUnavailableError, TablecastError } from "./Errors.ts"
import { optionsErrorOf, type Resolved } from "./Options.ts"
import { libraryDrivers } from "./Drivers.ts"
import { sourcesOfLibrary } from "./SourceRegistry.ts"
import { snapshotStoreOf } from "./StateStore.ts"

/** Sent as `context.library` of every message. */
export const NODE_LIBRARY = { name: "@tablecast/node", version: VERSION } as const

/** The RowSource of a sync, its adapter loaded first (only the source a run reads is loaded). */
export const sourceLayer = async (sync: Resolved) => {
  const adapter = await sourcesOfLibrary()
    .adapterOf(sync.source)
    .catch((error: unknown) => {
      throw optionsErrorOf(error)
    })
  return adapter.layer(sync.source, sync.baseDir, process.env)
}

/** The snapshot store of an incremental sync (its package loaded on first use); a bad state setting is an OptionsError. */
export const snapshotStoreOfSync = (sync: Resolved) =>
  snapshotStoreOf(sync.state, sync.baseDir, process.env, libraryDrivers()).catch((error: unknown) => {
    throw optionsErrorOf(error)
  })

/** A function given as `rejects`: told of each batch of rejects; one that throws stops the run (kind `output`). */
const rejectsFunction = (write: (rejects: ReadonlyArray<RejectedRow>) => void | Promise<void>) =>
  Layer.succeed(RejectSink, {
    write: (rejects) =>
      Effect.tryPromise({
        try: async () => write(rejects),
        catch: (error) => new OutputError({ message: `the rejects function failed: ${error instanceof Error ? error.message : String(error)}` })
      })
  })

/** Where a run's batches and rejects go: the Segment transport, and the rejects file or function. */
export const deliveryLayer = (sync: Resolved, rejects: string | ((rejects: ReadonlyArray<RejectedRow>) => void | Promise<void>) | undefined) =>
  Layer.mergeAll(
    // A dry run or a plan sends nothing, so it needs no write key; the transport is built but never called.
    SegmentTransport.layer({ ...sync.destination, writeKey: sync.writeKey ?? Redacted.make("dry-run") }),
    typeof rejects === "function"
      ? rejectsFunction(rejects)
      : sync.rejects === undefined
        ? RejectSink.discard
        : rejectsFile(path.resolve(sync.baseDir, sync.rejects))
  )

/** What can stop a run before it starts: a source that cannot be opened, a destination the transport refuses. */
export const startErrors = <A, R>(effect: Effect.Effect<A, SourceError | SegmentTransportOptionsError, R>) =>
  effect.pipe(
    Effect.catchTags({
      SourceError: (error) => Effect.fail(new SourceUnavailableError(error.message)),
      SegmentTransportOptionsError: (error) => Effect.fail(new OptionsError(error.message, "destination"))
    })
  )

/**
 * The package's one Effect→Promise bridge: its typed errors reject as they are; a defect (a bug)
 * rejects as a TablecastError of kind `internal`, the defect as its `cause`.
 */
export const runEffect = async <A>(effect: Effect.Effect<A, TablecastError>): Promise<A> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  const error = optionsErrorOf(Cause.squash(exit.cause))
  if (error instanceof TablecastError) throw error
  throw new TablecastError("internal", error instanceof Error ? error.message : String(error), { cause: error })
}

import path from "node:path"
import {
  type DeliveryReport,
  OutputError,
  type RejectedRow,
  RejectSink,
  type SourceError,
  VERSION,
  type WarnedRow,
  WarningSink
} from "@tablecast/core"
import { SegmentTransport, type SegmentTransportOptionsError } from "@tablecast/segment"
import { rejectsFile, warningsFile } from "@tablecast/state-file"
import { warningsBesideRejects } from "@tablecast/config/node"
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

/** Where a run's warned rows go: a function, a file (absolute), or nowhere. */
export type WarningsTarget = ((warnings: ReadonlyArray<WarnedRow>) => void | Promise<void>) | string | undefined

/**
 * The warnings output of a run in tracking-plan warn mode: `warnings` as given (a file relative to
 * `cwd`, or a function), else beside a `rejects` file; none in reject mode.
 */
export const warningsTargetOf = (
  sync: Resolved,
  options: {
    readonly trackingPlanMode?: "reject" | "warn"
    readonly warnings?: WarningsTarget
    readonly rejects?: unknown
  }
): WarningsTarget => {
  if (options.trackingPlanMode !== "warn") return undefined
  if (typeof options.warnings === "function") return options.warnings
  const file = options.warnings ?? (sync.rejects === undefined ? undefined : warningsBesideRejects(sync.rejects))
  return file === undefined ? undefined : path.resolve(sync.baseDir, file)
}

const warningsLayer = (target: WarningsTarget) =>
  typeof target === "function"
    ? Layer.succeed(WarningSink, {
        write: (rows) =>
          Effect.tryPromise({
            try: async () => target(rows),
            catch: (error) =>
              new OutputError({ message: `the warnings function failed: ${error instanceof Error ? error.message : String(error)}` })
          })
      })
    : target === undefined
      ? Layer.empty
      : warningsFile(target)

/** The report naming the warnings file the run wrote (as given, relative to the working folder). */
export const namingWarnings = <R extends DeliveryReport>(report: R, target: WarningsTarget): R =>
  typeof target !== "string" || report.trackingPlan === undefined
    ? report
    : { ...report, trackingPlan: { ...report.trackingPlan, warningsFile: path.relative(process.cwd(), target) || target } }

/** Where a run's batches, rejects and warnings go: the Segment transport, the rejects file or function, the warnings output. */
export const deliveryLayer = (
  sync: Resolved,
  rejects: string | ((rejects: ReadonlyArray<RejectedRow>) => void | Promise<void>) | undefined,
  warnings?: WarningsTarget
) =>
  Layer.mergeAll(
    warningsLayer(warnings),
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

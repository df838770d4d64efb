import { historyOf, recordRun, runProfilerFor, settingsOfSync } from "./History.ts"
import { type ContractReport, MessageContract, RunObserver } from "@tablecast/core"
import { trackingPlanContractOf } from "./TrackingPlanOption.ts"
import { type IncrementalPlan, type IncrementalResult, incrementalOf, runIncremental, SnapshotStore } from "@tablecast/incremental"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { OptionsError, SyncStoppedError } from "./Errors.ts"
import { type PlanOptions, resolveOptions } from "./Options.ts"
import { telemetryOf } from "./Telemetry.ts"
import { deliveryLayer, NODE_LIBRARY, runEffect, snapshotStoreOfSync, sourceLayer, startErrors } from "./Run.ts"

/** Segment's documented intake for workspaces with Engage: 1,000 events a second (above it, it queues). */
const ENGAGE_EVENTS_PER_SECOND = 1_000

/** How long sending the plan takes, in seconds. */
export interface ExpectedDuration {
  /** At the run's request rate (`pipeline.maxRps`); undefined when it sets none (`maxRps: 0`). */
  readonly seconds: number | undefined
  /** The least it takes into a workspace with Engage, which takes in 1,000 events a second. */
  readonly engageSeconds: number
}

/** What an incremental sync would send, as `tablecast plan` shows it, with how long sending would take. */
export type SyncPlan = IncrementalPlan & {
  readonly expectedDuration: ExpectedDuration
  /** What the `trackingPlan` found in the rows the run would send (present with a plan). */
  readonly trackingPlan?: ContractReport
}

/**
 * Reads the source and compares every row with the sync's snapshot: rows added, changed, unchanged
 * and removed, the calls, requests and bytes a sync would send and how long, the users it would
 * touch, the guard's verdict, and a sample of changes. Sends nothing, leaves the snapshot as it is,
 * needs no write key. The sync must be incremental (`key`).
 *
 * @example
 * ```ts
 * const p = await plan({ source: { type: "csv", path: "scores.csv" }, event: "Churn Scored", customerId: "customer_id", key: ["customer_id"] })
 * console.log(`${p.rows.changed} changed, ${p.send.messages} messages, about ${p.expectedDuration.seconds} s`)
 * ```
 */
export const plan = async (options: PlanOptions): Promise<SyncPlan> => {
  const sync = await resolveOptions(options, false)
  if (incrementalOf(sync.spec) === undefined) {
    throw new OptionsError(
      'key: a plan compares a sync with its snapshot; give key (the columns that name a row), e.g. key: ["customer_id"]',
      "key"
    )
  }
  // An OTEL_* variable that does not check stops the plan before the source is opened.
  const telemetry = await telemetryOf({ syncName: sync.name ?? sync.spec.name, kind: "incremental" }, (result: IncrementalResult) => result.report)
  const store = await snapshotStoreOfSync(sync)
  const layer = Layer.mergeAll(await sourceLayer(sync), deliveryLayer(sync, undefined))
  const run = runIncremental({
    spec: sync.spec,
    options: sync.pipeline,
    library: NODE_LIBRARY,
    planOnly: true,
    full: options.full === true,
    ...(options.sampleSize === undefined ? {} : { sampleSize: options.sampleSize })
  })
  const profiler = await runProfilerFor(options.history)
  const contract = await trackingPlanContractOf(options)
  const { report, plan: made } = await runEffect(
    run.pipe(
      telemetry,
      Effect.provide(layer),
      startErrors,
      Effect.provideService(SnapshotStore, store),
      Effect.provideService(RunObserver, profiler?.observer),
      Effect.provideService(MessageContract, contract)
    )
  )
  if (options.history !== undefined) {
    const history = historyOf(options.history, typeof options.cwd === "string" ? options.cwd : process.cwd(), sync)
    await recordRun(history, { report, kind: "plan", plan: made, settings: settingsOfSync(sync), profile: profiler?.profileOf(report, made) })
  }
  // A guard that trips is a plan (its verdict is in `guard`); any other stop means there is none.
  if (made === undefined || (report.fatal !== undefined && report.fatal.kind !== "guard")) {
    const fatal = report.fatal ?? { kind: "internal" as const, message: "the plan could not be made" }
    throw new SyncStoppedError({ ...report, fatal })
  }
  const maxRps = sync.pipeline.maxRps
  return {
    ...made,
    expectedDuration: {
      seconds: maxRps > 0 ? made.send.requests / maxRps : undefined,
      engageSeconds: made.send.messages / ENGAGE_EVENTS_PER_SECOND
    },
    ...(report.trackingPlan === undefined ? {} : { trackingPlan: report.trackingPlan })
  }
}

// The run's contract as the CSV worker thread checks it. Imports nothing of Effect or Ajv itself.
import type { ContractCheck, PortableContract } from "@tablecast/core"
import type { MapperContract } from "@tablecast/core/mapper"
import type { TrackingPlan } from "@tablecast/tracking-plan"

// A message that fails a revived test is not judged here: its row goes to the sending thread as read,
// where the whole check names the violations.
const JUDGED_BY_THE_SENDING_THREAD: ContractCheck = {
  violations: [{ path: "", rule: "", text: "checked by the sending thread" }],
  unplanned: false
}

/** A worker's contract, and whether a shape of message was not taken apart with the tests at hand. */
export interface WorkerContract {
  readonly contract: MapperContract
  readonly missedShape: () => boolean
}

/**
 * The contract from the tests the sending thread compiled (`PortableContract.tests`), revived without
 * Ajv; undefined without them. A shape they do not cover makes `missedShape` true: the worker then
 * compiles the plan itself (`compiledContract`).
 */
export const revivedContract = async (portable: PortableContract): Promise<WorkerContract | undefined> => {
  if (portable.tests === undefined) return undefined
  const { revivedShapeChecks } = await import("@tablecast/tracking-plan/revived")
  const checkShape = await revivedShapeChecks(portable.trackingPlan as TrackingPlan, portable.tests)
  let missed = false
  return {
    contract: {
      check: () => JUDGED_BY_THE_SENDING_THREAD,
      checkShape: (shape) => {
        const taken = checkShape(shape)
        if (taken === undefined) missed = true
        return taken
      }
    },
    missedShape: () => missed
  }
}

/** The contract compiled here with Ajv: every message checked, as the sending thread checks it. */
export const compiledContract = async (portable: PortableContract): Promise<MapperContract> =>
  (await import("@tablecast/tracking-plan")).compileTrackingPlan(
    portable.trackingPlan as TrackingPlan,
    portable.origin,
    // The sending thread compiled this plan before starting the worker: its schemas are known good.
    { validated: true }
  )

import path from "node:path"
import { ConfigError, type SyncOverrides } from "@tablecast/config"
import type { TrackingPlanSetting } from "@tablecast/config/node"
import type { MessageContractShape } from "@tablecast/core"

/**
 * The sync's tracking plan as the run's message contract: read and compiled once, before anything is
 * read or sent. The validator (Ajv) is loaded here, so a run without a plan never loads it. A plan that
 * cannot be used is the user's input at fault (exit 2), named by file and rule.
 */
export const trackingPlanContract = async (setting: TrackingPlanSetting | undefined): Promise<MessageContractShape | undefined> => {
  if (setting === undefined) return undefined
  const { loadTrackingPlan, TrackingPlanError } = await import("@tablecast/tracking-plan")
  try {
    const name = path.relative(process.cwd(), setting.file) || setting.file
    const compiled = await loadTrackingPlan(setting.file, name)
    // The plan as data too, for a CSV worker thread that maps and checks beside the reading.
    return {
      mode: setting.mode,
      name,
      check: compiled.check,
      checkShape: compiled.checkShape,
      portableTests: compiled.portableTests,
      portable: { trackingPlan: compiled.plan, origin: name }
    }
  } catch (error) {
    if (error instanceof TrackingPlanError) throw new ConfigError({ message: error.message, flag: "tracking-plan" })
    throw error
  }
}

/** The tracking plan's overrides of a command's flags, for commands that take no other delivery flag. */
export const trackingPlanOverrides = (
  overrides: Pick<SyncOverrides, "trackingPlan" | "trackingPlanMode">
): Pick<SyncOverrides, "trackingPlan" | "trackingPlanMode"> => ({
  ...(overrides.trackingPlan === undefined ? {} : { trackingPlan: overrides.trackingPlan }),
  ...(overrides.trackingPlanMode === undefined ? {} : { trackingPlanMode: overrides.trackingPlanMode })
})

import { ConfigError } from "@tablecast/config"
import { readTrackingPlan, type TrackingPlan, TrackingPlanError } from "@tablecast/tracking-plan"

/** A tracking plan file as a flag names it: read and parsed, or a ConfigError naming the flag, the file and the fault. */
export const readTrackingPlanFile = async (file: string, flag: string): Promise<TrackingPlan> => {
  try {
    return await readTrackingPlan(file)
  } catch (error) {
    if (error instanceof TrackingPlanError) throw new ConfigError({ message: `${flag}: ${error.message}`, flag: flag.replace(/^--/, "") })
    throw error
  }
}

import { readFile } from "node:fs/promises"
import { ConfigError } from "@tablecast/config"
import { describeFsError } from "@tablecast/state-file"
import { parseTrackingPlan, type TrackingPlan } from "@tablecast/tracking-plan"

/** A tracking plan file as a flag names it: read and parsed, or a ConfigError naming the flag, the file and the fault. */
export const readTrackingPlanFile = async (file: string, flag: string): Promise<TrackingPlan> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (error) {
    throw new ConfigError({ message: `${flag} ${file}: the tracking plan cannot be read: ${describeFsError(error)}` })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError({ message: `${flag} ${file}: the tracking plan is not JSON: ${(error as Error).message}` })
  }
  try {
    return parseTrackingPlan(json, file)
  } catch (error) {
    throw new ConfigError({ message: `${flag}: ${(error as Error).message}` })
  }
}

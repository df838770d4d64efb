import { readFile } from "node:fs/promises"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import type { TrackingPlan } from "./TrackingPlan.js"
import { TrackingPlanError } from "./TrackingPlanError.js"

/**
 * Reads and parses a plan file, without compiling its schemas (no validator is loaded): for a tool
 * that reads the plan's rules. Every way it can fail is a TrackingPlanError naming the file (as
 * `origin` says it, e.g. relative to the current folder).
 */
export const readTrackingPlan = async (file: string, origin: string = file): Promise<TrackingPlan> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (error) {
    const code = (error as { code?: unknown }).code
    throw new TrackingPlanError({ origin, reason: code === "ENOENT" ? "no such file" : `cannot be read (${String(code)})` })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new TrackingPlanError({ origin, reason: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` })
  }
  return parseTrackingPlan(json, origin)
}

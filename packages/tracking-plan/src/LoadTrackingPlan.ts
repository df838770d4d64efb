import { readFile } from "node:fs/promises"
import { type CompiledTrackingPlan, compileTrackingPlan } from "./CompiledPlan.js"
import { parseTrackingPlan } from "./ParseTrackingPlan.js"
import { TrackingPlanError } from "./TrackingPlanError.js"

/**
 * Reads, parses and compiles a plan file; every way it can fail is a TrackingPlanError naming the file
 * (as `origin` says it, e.g. relative to the current folder).
 */
export const loadTrackingPlan = async (file: string, origin: string = file): Promise<CompiledTrackingPlan> => {
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
  return compileTrackingPlan(parseTrackingPlan(json, origin), origin)
}

import { type CompiledTrackingPlan, compileTrackingPlan } from "./CompiledPlan.js"
import { readTrackingPlan } from "./ReadTrackingPlan.js"

/**
 * Reads, parses and compiles a plan file; every way it can fail is a TrackingPlanError naming the file
 * (as `origin` says it, e.g. relative to the current folder).
 */
export const loadTrackingPlan = async (file: string, origin: string = file): Promise<CompiledTrackingPlan> =>
  compileTrackingPlan(await readTrackingPlan(file, origin), origin)

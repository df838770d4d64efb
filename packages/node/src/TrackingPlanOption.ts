import path from "node:path"
import type { MessageContractShape } from "@tablecast/core"
import { OptionsError } from "./Errors.ts"

/** A tracking plan every message is checked against before it is sent: a file (relative to `cwd`) or the plan's JSON. */
export interface TrackingPlanOptions {
  /**
   * A Segment tracking plan: the path of its JSON file, or the JSON itself — the Public API's rules
   * (`{ rules: [{ type: "TRACK", key, version, jsonSchema }] }`) or a Config API export.
   */
  readonly trackingPlan?: string | Readonly<Record<string, unknown>>
  /** `reject` (default): a violating row is rejected with its violations; `warn`: sent, its violations counted in the report. */
  readonly trackingPlanMode?: "reject" | "warn"
}

/**
 * The run's message contract from its `trackingPlan` option, compiled once; undefined without one.
 * The validator (Ajv) is loaded only here. A plan that cannot be used is an OptionsError naming it.
 */
export const trackingPlanContractOf = async (
  options: TrackingPlanOptions & { readonly cwd?: string }
): Promise<MessageContractShape | undefined> => {
  const mode = options.trackingPlanMode ?? "reject"
  if (mode !== "reject" && mode !== "warn") {
    throw new OptionsError(`trackingPlanMode: expected "reject" or "warn", got ${JSON.stringify(mode)}`, "trackingPlanMode")
  }
  const plan = options.trackingPlan
  if (plan === undefined) {
    if (options.trackingPlanMode !== undefined) throw new OptionsError("trackingPlanMode: needs a trackingPlan", "trackingPlanMode")
    return undefined
  }
  if (typeof plan !== "string" && (typeof plan !== "object" || plan === null || Array.isArray(plan))) {
    throw new OptionsError("trackingPlan: expected a file path or the plan's JSON object", "trackingPlan")
  }
  const { compileTrackingPlan, loadTrackingPlan, parseTrackingPlan, TrackingPlanError } = await import("@tablecast/tracking-plan")
  try {
    const compiled =
      typeof plan === "string"
        ? await loadTrackingPlan(path.resolve(options.cwd ?? process.cwd(), plan), plan)
        : compileTrackingPlan(parseTrackingPlan(plan, "trackingPlan"), "trackingPlan")
    const name = typeof plan === "string" ? plan : "trackingPlan"
    return {
      mode,
      name,
      check: compiled.check,
      checkShape: compiled.checkShape,
      portableTests: compiled.portableTests,
      portable: { trackingPlan: compiled.plan, origin: name }
    }
  } catch (error) {
    if (error instanceof TrackingPlanError) throw new OptionsError(error.message, "trackingPlan")
    throw error
  }
}

// `@tablecast/tracking-plan/interpreted`: the plan checker for runtimes that forbid code generation
// (Cloudflare Workers). It loads @cfworker/json-schema, never Ajv.
export type { PlanCheck, PlanViolation, TrackingPlanChecker } from "./CompiledPlan.js"
export { type InterpretOptions, interpretTrackingPlan } from "./InterpretedPlan.js"
export { parseTrackingPlan } from "./ParseTrackingPlan.js"
export { ruleLabel, type TrackingPlan, type TrackingPlanCall, type TrackingPlanRule } from "./TrackingPlan.js"
export { TrackingPlanError } from "./TrackingPlanError.js"

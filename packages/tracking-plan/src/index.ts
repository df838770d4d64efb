export { parseTrackingPlan } from "./ParseTrackingPlan.js"
export { plannedProperties } from "./PlannedProperties.js"
export {
  type PlannedProperty,
  ruleLabel,
  type TrackingPlan,
  type TrackingPlanCall,
  type TrackingPlanRule
} from "./TrackingPlan.js"
export { TrackingPlanError } from "./TrackingPlanError.js"
export {
  type CompiledTrackingPlan,
  compileTrackingPlan,
  type PlanCheck,
  type PlanViolation,
  type TrackingPlanChecker
} from "./CompiledPlan.js"
export { loadTrackingPlan } from "./LoadTrackingPlan.js"
export type { MessageShape, ShapeCheck, ValueTest } from "./ShapeChecks.js"
export { readTrackingPlan } from "./ReadTrackingPlan.js"
export type { SchemaCompilerOptions } from "./SchemaCompiler.js"

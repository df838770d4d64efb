// A run's profile, collected as it runs: the data behind the HTML report (property distributions,
// the timeline, reject examples). A subpath of its own, so that a run that keeps no profile loads
// no sketch. Edge-safe: no node: import.
export { LEFT_OUT_COUNT_LIMIT, PropertyProfiler, QUANTILE_RELATIVE_ACCURACY, TOP_VALUE_COUNTERS } from "./PropertyProfiler.ts"
export { REJECT_EXAMPLES_PER_STAGE, RejectExamples } from "./RejectExamples.ts"
export { RunProfiler } from "./RunProfiler.ts"
export { MAX_TIMELINE_POINTS, Timeline } from "./Timeline.ts"
export { cutValue, MAX_VALUE_CHARS, TopValues } from "./TopValues.ts"

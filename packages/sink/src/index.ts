export { type Sink, startSink } from "./Sink.ts"
export {
  SegmentApiLimits,
  SinkFaults,
  type SinkFaultsInput,
  SinkFaultsUpdate,
  SinkOptions,
  type SinkOptionsInput
} from "./SinkOptions.ts"
export { type FaultCounts, formatSinkStats, type SinkStats } from "./SinkStats.ts"
export { checkMessage, messageTypes } from "./MessageChecks.ts"

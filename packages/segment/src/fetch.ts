// The Workers entry point: everything here runs without `node:` modules.
export * as FetchSegmentTransport from "./FetchSegmentTransport.ts"
export type { FetchTransportDependencies } from "./FetchSegmentTransport.ts"
export {
  SegmentTransportOptions,
  SegmentTransportOptionsError,
  type SegmentTransportOptionsInput
} from "./SegmentTransportOptions.ts"
export { regionHosts, resolveEndpoint, type SegmentEndpoint, type SegmentRegion } from "./SegmentEndpoint.ts"
export {
  classifyStatus,
  errorForAnswer,
  parseRetryAfter,
  type StatusClass,
  trimErrorBody
} from "./ResponseClassification.ts"
export { classifyFailure } from "./FailureClassification.ts"
export { batchBody, envelopeBytes } from "./BatchBody.ts"
export { userAgent, version } from "./Version.ts"

export * as SegmentTransport from "./SegmentTransport.ts"
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
export { writeKeyProblem } from "./WriteKey.ts"

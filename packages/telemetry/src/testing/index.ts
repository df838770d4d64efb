export {
  decodeOtlpJson,
  type OtlpDataPoint,
  type OtlpExport,
  type OtlpKeyValue,
  type OtlpMetric,
  type OtlpReceiver,
  type OtlpSpan,
  otlpAttribute,
  otlpPointValue,
  startOtlpReceiver
} from "./OtlpReceiver.ts"

export { Defaults, SegmentLimits } from "./spec/Limits.ts"
export { utf8ByteLength } from "./map/Utf8.ts"
export { MAX_VALUE_DEPTH, nestsDeeperThan, tooDeepReason } from "./map/ValueDepth.ts"
export { type Books, checkBooks, type Imbalance, imbalanceOf } from "./report/Books.ts"
export {
  CALL_TYPES,
  type CallType,
  callsOf,
  checkSyncSpec,
  ColumnType,
  formatIssues,
  issuePlaces,
  SyncSpec,
  type SyncSpecInput,
  syncSpecFields,
  type SyncType
} from "./spec/SyncSpec.ts"
export { BatchProfile, batchProfiles, type BatchSettings, withBatchProfile } from "./spec/BatchProfile.ts"
export { inFlightFloor, PipelineOptions, type PipelineOptionsInput } from "./spec/PipelineOptions.ts"
export { Batcher, type BatcherOptions } from "./batch/Batcher.ts"
export { missingColumns } from "./spec/MissingColumns.ts"
export {
  type ColumnInfo,
  isMalformed,
  isPrepared,
  malformedReject,
  type PreparedRow,
  type MalformedRow,
  RowSource,
  type RowSourceShape,
  type ScanEstimate,
  SourceError,
  type SourceItem,
  type SourceRow
} from "./source/RowSource.ts"
export type { ConfigEntry, DescribeOptions, SourceAdapter, SourceEnv } from "./source/SourceAdapter.ts"
export type { ColumnSummary, SourceDescription, TableSummary, ValueKind } from "./source/SourceDescription.ts"
export { EnvName, fromEnv, SecretSettingError, urlHoldsPassword } from "./source/SecretSettings.ts"
export {
  type BatchAccepted,
  type OutgoingBatch,
  Transport,
  TransportError,
  type TransportErrorKind,
  type TransportShape
} from "./send/Transport.ts"
export { OutputError, RejectSink, type RejectSinkShape, type RejectedRow, type RejectStage } from "./report/RejectSink.ts"
export type { ValueRule } from "./map/RowFailure.ts"
export type { DeliveryReport, FatalError, RunOutcome, SendingFigures } from "./report/DeliveryReport.ts"
export {
  type ContractCheck,
  type ContractMode,
  type ContractViolation,
  MessageContract,
  type MessageContractShape,
  type MessageShape,
  type PortableContract,
  type ShapeCheck,
  type ValueTest
} from "./contract/MessageContract.ts"
export type { ContractReport, ContractRow } from "./contract/ContractReport.ts"
export { CONTRACT_SAMPLE, ContractTally, contractReason } from "./contract/ContractTally.ts"
export {
  type WarnedRow,
  type WarnedViolation,
  WarningSink,
  type WarningSinkShape,
  warnedRow,
  writeWarnings
} from "./contract/WarningSink.ts"
export { type RejectCounts, rejectLimitHit } from "./run/RejectLimit.ts"
export {
  isRunRecord,
  newRunId,
  RUN_RECORD_VERSION,
  type RunKind,
  type RunMeta,
  type RunPlanCounts,
  type RunRecord,
  type RunSettingValue,
  type RunTrigger,
  runRecordOf
} from "./report/RunRecord.ts"
export { type CallCounts, callCountsText } from "./report/CallCounts.ts"
export { bypassesProxy } from "./send/NoProxy.ts"
export {
  type CategoricalProfile,
  type CustomerMovement,
  MAX_PROFILED_PROPERTIES,
  type NumericProfile,
  type PropertyProfile,
  QUANTILE_POINTS,
  type RunProfile,
  TOP_VALUES,
  type TimelinePoint
} from "./report/RunProfile.ts"
export {
  defaultRunRetention,
  newestFirst,
  type RunFilter,
  type RunHistory,
  type RunRetention,
  retainedRuns,
  runMatches,
  selectRuns
} from "./report/RunHistory.ts"
export { combineReports, combineSending, emptySums, type OutcomeInput, outcomeOf, type ReportSums } from "./report/ReportAlgebra.ts"
export { oneLineError } from "./report/ErrorText.ts"
export {
  ExitCode,
  exitCodeOfEnding,
  exitCodeOfFatal,
  exitCodeOfFatalKind,
  exitCodeOfReport,
  type RunEnding
} from "./report/ExitCode.ts"
export {
  BooksUnbalanced,
  CheckpointFailed,
  EndpointUnreachable,
  type Fatal,
  fatalOfRecord,
  fatalRecord,
  GuardTripped,
  InternalDefect,
  Interrupted,
  OutputFailed,
  RejectLimitExceeded,
  SourceChanged,
  SourceFailed,
  SpecInvalid,
  StateFailed,
  WriteKeyRefused
} from "./report/Fatal.ts"
export { type FixedSendingSettings, fixedSendingPolicy, SendingPolicy, type SendingPolicyShape } from "./send/SendingPolicy.ts"
export { type AdaptiveSendingSettings, adaptiveSendingPolicy } from "./send/AdaptiveSendingPolicy.ts"
export { reserveSlot } from "./send/RateLimiter.ts"
export type { RetryDecision, RetrySettings } from "./send/RetryPolicy.ts"
export { ProgressListener, type ProgressSnapshot } from "./report/Progress.ts"
export { RunObserver, type RunObserverShape } from "./report/RunObserver.ts"
export { type Checkpoint, CheckpointError, CheckpointStore, type CheckpointStoreShape, memoryCheckpointStore } from "./resume/Checkpoint.ts"
export { MAX_ROW_RANGES, type RowRange, RowRangeSet } from "./resume/RowRanges.ts"
export * as Sync from "./run/Sync.ts"
export { preview, type PreviewResult } from "./run/Preview.ts"
export { type BuiltMessage, compileMapper, type LibraryInfo, type MessageMapper, syncNamespace } from "./map/MessageMapper.ts"
export { EMPTY, toIsoTimestamp } from "./map/ColumnValue.ts"
export {
  type ColumnTypeLine,
  columnRules,
  columnTypeLines,
  convertColumnValue,
  type ColumnTypes,
  type DecidedColumn,
  type DecidedType,
  numberFromText,
  TextTypeSample,
  TYPE_SAMPLE_ROWS,
  WILDCARD_COLUMN
} from "./map/ColumnTyping.ts"
export { exactNumber } from "./map/ExactNumber.ts"
export { deterministicMessageId, MESSAGE_ID_PREFIX, MESSAGE_ID_SCHEME, portableSha256Hex, repeatKey, repeatMessageId } from "./map/MessageId.ts"
export { RepeatCounter, type RepeatCounterOptions } from "./map/RepeatCounter.ts"
// The engine's parts a package that runs syncs its own way builds on (the incremental package).
export { type Batch, BatchBuilder } from "./batch/Batcher.ts"
export { DeliveryTally } from "./report/DeliveryTally.ts"
export { VERSION } from "./Version.ts"

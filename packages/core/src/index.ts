export { Defaults, SegmentLimits } from "./Limits.ts"
export { utf8ByteLength } from "./Utf8.ts"
export { MAX_VALUE_DEPTH, nestsDeeperThan } from "./ValueDepth.ts"
export { type Books, checkBooks, type Imbalance, imbalanceOf } from "./Books.ts"
export { ColumnType, formatIssues, issuePlaces, SyncSpec, type SyncSpecInput } from "./SyncSpec.ts"
export { PipelineOptions, type PipelineOptionsInput } from "./PipelineOptions.ts"
export {
  type ColumnInfo,
  isMalformed,
  isPrepared,
  type PreparedRow,
  type MalformedRow,
  RowSource,
  type RowSourceShape,
  SourceError,
  type SourceDigests,
  type SourceItem,
  type SourceRow
} from "./RowSource.ts"
export { type ConfigEntry, type DescribeOptions, type SourceAdapter, type SourceEnv } from "./source/SourceAdapter.ts"
export { type ColumnSummary, type SourceDescription, type TableSummary, type ValueKind } from "./source/SourceDescription.ts"
export { EnvName, fromEnv, refuseSecrets, SecretSettingError, urlHoldsPassword } from "./source/SecretSettings.ts"
export {
  type BatchAccepted,
  type OutgoingBatch,
  Transport,
  TransportError,
  type TransportErrorKind,
  type TransportShape
} from "./Transport.ts"
export { OutputError, RejectSink, type RejectSinkShape, type RejectedRow, type RejectStage } from "./RejectSink.ts"
export type { DeliveryReport, FatalError, RunOutcome } from "./DeliveryReport.ts"
export { ProgressListener, type ProgressSnapshot } from "./Progress.ts"
export { type Checkpoint, CheckpointError, CheckpointStore, type CheckpointStoreShape, memoryCheckpointStore } from "./Checkpoint.ts"
export { MAX_ROW_RANGES, type RowRange, RowRangeSet } from "./RowRanges.ts"
export * as Sync from "./Sync.ts"
export { preview, type PreviewResult } from "./Preview.ts"
export { type BuiltMessage, type LibraryInfo, syncNamespace } from "./MessageMapper.ts"
export { toIsoTimestamp } from "./ColumnValue.ts"
export {
  type ColumnTypeLine,
  columnTypeLines,
  type ColumnTypes,
  type DecidedColumn,
  type DecidedType,
  numberFromText,
  TextTypeSample,
  TYPE_SAMPLE_ROWS,
  WILDCARD_COLUMN
} from "./ColumnTyping.ts"
export { exactNumber } from "./ExactNumber.ts"
export { deterministicMessageId, MESSAGE_ID_PREFIX, MESSAGE_ID_SCHEME, repeatKey, repeatMessageId } from "./MessageId.ts"
export { RepeatCounter, type RepeatCounterOptions } from "./RepeatCounter.ts"
export {
  type ChangeKind,
  memorySnapshotStore,
  messageIdSchemeNote,
  type SnapshotEntry,
  type SnapshotRun,
  SnapshotStore,
  type SnapshotStoreShape,
  type StagedChange,
  type StagedUsers,
  StateError
} from "./Snapshot.ts"
export { IncrementalMode, IncrementalSpec, type IncrementalSpecInput, sends, Tolerance } from "./IncrementalSpec.ts"
export { incrementalOf } from "./SyncSpec.ts"
export type { IncrementalPlan, PlannedChange } from "./IncrementalPlan.ts"
export type { ColumnChange } from "./ChangeDetector.ts"
export { type IncrementalInput, type IncrementalResult, runIncremental } from "./IncrementalSync.ts"
export { digestSpecHash } from "./SourceDigestSpec.ts"

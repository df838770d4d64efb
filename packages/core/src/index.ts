export { Defaults, SegmentLimits } from "./Limits.ts"
export { utf8ByteLength } from "./Utf8.ts"
export { MAX_VALUE_DEPTH, nestsDeeperThan, tooDeepReason } from "./ValueDepth.ts"
export { type Books, checkBooks, type Imbalance, imbalanceOf } from "./Books.ts"
export { checkSyncSpec, ColumnType, formatIssues, issuePlaces, SyncSpec, type SyncSpecInput, syncSpecFields } from "./SyncSpec.ts"
export { missingColumns } from "./spec/MissingColumns.ts"
export { PipelineOptions, type PipelineOptionsInput } from "./PipelineOptions.ts"
export {
  type ColumnInfo,
  isMalformed,
  isPrepared,
  malformedReject,
  type PreparedRow,
  type MalformedRow,
  RowSource,
  type RowSourceShape,
  SourceError,
  type SourceItem,
  type SourceRow
} from "./RowSource.ts"
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
export { type BuiltMessage, compileMapper, type LibraryInfo, type MessageMapper, syncNamespace } from "./MessageMapper.ts"
export { EMPTY, toIsoTimestamp } from "./ColumnValue.ts"
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
} from "./ColumnTyping.ts"
export { exactNumber } from "./ExactNumber.ts"
export {
  deterministicMessageId,
  MESSAGE_ID_PREFIX,
  MESSAGE_ID_SCHEME,
  portableSha256Hex,
  repeatKey,
  repeatMessageId
} from "./MessageId.ts"
export { RepeatCounter, type RepeatCounterOptions } from "./RepeatCounter.ts"
// The engine's parts a package that runs syncs its own way builds on (the incremental package).
export { type Batch, BatchBuilder } from "./Batcher.ts"
export { DeliveryTally } from "./DeliveryTally.ts"
export { VERSION } from "./Version.ts"

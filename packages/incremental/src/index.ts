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
export { incrementalOf, IncrementalSyncSpec, type IncrementalSyncSpecInput } from "./IncrementalSyncSpec.ts"
export type { IncrementalPlan, MessagesByCall, PlannedChange } from "./IncrementalPlan.ts"
export type { ColumnChange } from "./ChangeDetector.ts"
export { type IncrementalInput, type IncrementalReport, type IncrementalResult, runIncremental } from "./IncrementalSync.ts"
export { digestSpecHash } from "./SourceDigestSpec.ts"
export {
  type DigestedItem,
  type DigestedRow,
  type SnapshotDigestTable,
  type SourceDigestRelation,
  SourceDigests,
  type SourceDigestsShape
} from "./SourceDigests.ts"
export {
  type DatabaseIdentity,
  diffInDatabaseLayer,
  sameDatabase,
  type SnapshotInDatabase,
  type SourceInDatabase,
  type SourceInDatabaseOf
} from "./DiffInDatabase.ts"
export { planCountsOf } from "./PlanCounts.ts"

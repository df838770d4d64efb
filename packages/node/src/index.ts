/**
 * tablecast for Node programs that do not use Effect: `sync` sends the rows of a CSV file or a
 * warehouse table to Segment and resolves with the delivery report; `startSync` gives its progress
 * as an async iterable; `preview` and `plan` show what a sync would send, sending nothing.
 *
 * @packageDocumentation
 */
export type { ContractReport, DeliveryReport, FatalError, RunFilter, RunHistory, RunOutcome, RunRecord, RunRetention } from "@tablecast/core"
export type { IncrementalPlan } from "@tablecast/incremental"
export {
  OptionsError,
  PackageMissingError,
  SourceUnavailableError,
  SyncAbortedError,
  SyncStoppedError,
  TablecastError,
  type TablecastErrorKind
} from "./Errors.ts"
export type {
  DestinationOptions,
  MappingOptions,
  PipelineOptions,
  PlanOptions,
  PreviewOptions,
  Progress,
  Reject,
  SourceAndMapping,
  SyncOptions,
  Warning
} from "./Options.ts"
export type { HistoryOption } from "./History.ts"
export { type ExpectedDuration, plan, type SyncPlan } from "./Plan.ts"
export { runHistoryFile } from "@tablecast/state-file/history"
export { type Preview, preview } from "./Preview.ts"
export type { SourceOptions } from "./SourceRegistry.ts"
export { startSync, sync, type SyncRun } from "./Sync.ts"
export type { NotifyOptions } from "./Alerts.ts"
export type { TrackingPlanOptions } from "./TrackingPlanOption.ts"

import type { Effect } from "effect"
import type { DeliveryReport } from "./DeliveryReport.ts"
import type { PipelineOptions } from "./PipelineOptions.ts"
import type { RejectSink } from "./RejectSink.ts"
import type { RowSource } from "./RowSource.ts"
import type { SyncSpec } from "./SyncSpec.ts"
import type { Transport } from "./Transport.ts"

export interface SyncInput {
  readonly spec: SyncSpec
  readonly options: PipelineOptions
}

/**
 * Runs a sync: reads the source, maps and validates each row, batches and sends, and returns the
 * delivery report. Never fails: a fatal error ends the run and is told in `report.fatal`.
 */
export declare const run: (
  input: SyncInput
) => Effect.Effect<DeliveryReport, never, RowSource | Transport | RejectSink>

import {
  type DeliveryReport,
  MessageContract,
  type PipelineOptions,
  RejectSink,
  SendingPolicy,
  Sync,
  type SyncSpec,
  type Transport
} from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { edgeContractOf, type EdgeTrackingPlan } from "./EdgeTrackingPlan.ts"
import { reportWithoutValues } from "./RejectReason.ts"
import { requestRowSource, type RequestRows } from "./RequestRows.ts"
import type { EdgeRunTelemetry } from "./telemetry/EdgeTelemetry.ts"
import { TransportSetupError } from "./TransportSetupError.ts"
import { version } from "./Version.ts"

/**
 * Runs the core pipeline over rows held in memory and succeeds with its delivery report.
 * `Sync.run` never fails: a fatal error is told in `report.fatal`. Rejected rows are counted and
 * sampled by the report; their values are not kept (they may be personal data), nor quoted in
 * their reasons. Fails with a `TransportSetupError` when the transport cannot be built.
 */
export const runRows = (input: {
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  readonly rows: RequestRows
  readonly description: string
  readonly fingerprint: string
  readonly transport: Layer.Layer<Transport, { readonly message: string }>
  /** How batches are sent, when not the default adaptive policy (a queued run's shared rate). */
  readonly sendingPolicy?: typeof SendingPolicy.Service
  /** The run's telemetry (telemetry/EdgeTelemetry.ts), when the OTEL_* variables are set. */
  readonly instrument?: EdgeRunTelemetry["instrument"]
  /** The tracking plan every message is checked against before it is sent (`planInForce`), if any. */
  readonly trackingPlan?: EdgeTrackingPlan
}): Effect.Effect<DeliveryReport, TransportSetupError> =>
  Sync.run({
    spec: input.spec,
    options: input.options,
    library: { name: "tablecast-edge", version }
  }).pipe(
    (run) => (input.sendingPolicy === undefined ? run : run.pipe(Effect.provideService(SendingPolicy, input.sendingPolicy))),
    (run) => (input.trackingPlan === undefined ? run : run.pipe(Effect.provideService(MessageContract, edgeContractOf(input.trackingPlan)))),
    // Inside the transport's layer: the telemetry wraps the transport with a span per request.
    (run) => (input.instrument === undefined ? run : input.instrument(run)),
    Effect.provide(
      Layer.mergeAll(
        requestRowSource({ rows: input.rows, description: input.description, fingerprint: input.fingerprint }),
        input.transport,
        RejectSink.discard
      )
    ),
    Effect.mapError((error) => new TransportSetupError({ message: error.message })),
    // Reasons name the column and the rule, never the value (docs/edge.md).
    Effect.map(reportWithoutValues)
  )

import { type DeliveryReport, type PipelineOptions, RejectSink, Sync, type SyncSpec, type Transport } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import { reportWithoutValues } from "./RejectReason.ts"
import { requestRowSource, type RequestRows } from "./RequestRows.ts"
import { version } from "./Version.ts"

/** The transport could not be set up (its options did not check); the message holds no secret. */
export class TransportSetupError extends Error {
  override readonly name = "TransportSetupError"
}

/**
 * Runs the core pipeline over rows held in memory and resolves with its delivery report.
 * `Sync.run` never fails: a fatal error is told in `report.fatal`. Rejected rows are counted and
 * sampled by the report; their values are not kept (they may be personal data), nor quoted in
 * their reasons. Rejects with a
 * `TransportSetupError` when the transport cannot be built.
 */
export const runRows = async (input: {
  readonly spec: SyncSpec
  readonly options: PipelineOptions
  readonly rows: RequestRows
  readonly description: string
  readonly fingerprint: string
  readonly transport: Layer.Layer<Transport, { readonly message: string }>
}): Promise<DeliveryReport> => {
  const result = await Effect.runPromise(
    Effect.result(
      Sync.run({
        spec: input.spec,
        options: input.options,
        library: { name: "tablecast-edge", version }
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            requestRowSource({ rows: input.rows, description: input.description, fingerprint: input.fingerprint }),
            input.transport,
            RejectSink.discard
          )
        )
      )
    )
  )
  if (Result.isFailure(result)) throw new TransportSetupError(result.failure.message)
  // Reasons name the column and the rule, never the value (docs/edge.md).
  return reportWithoutValues(result.success)
}

import { type ColumnTypeLine, type ContractReport, MessageContract, preview as previewRows } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { OptionsError } from "./Errors.ts"
import { type PreviewOptions, type Reject, resolveOptions } from "./Options.ts"
import { trackingPlanContractOf } from "./TrackingPlanOption.ts"
import { NODE_LIBRARY, runEffect, sourceLayer, startErrors } from "./Run.ts"

/** What the first rows of a sync would become, as `tablecast preview` shows it. */
export interface Preview {
  /** The first messages, exactly as they would be sent (messageId, timestamp and context included). */
  readonly messages: ReadonlyArray<Record<string, unknown>>
  /** The rows refused on the way, with their reasons and values. */
  readonly rejects: ReadonlyArray<Reject>
  readonly rowsRead: number
  /** The type each column is sent as, and what decided it (declared, the warehouse's type, or the file's first rows). */
  readonly columnTypes: ReadonlyArray<ColumnTypeLine>
  /** Rows previewed that repeat an earlier row (each still gets a messageId of its own). */
  readonly rowsRepeated: number
  /** What the `trackingPlan` found in the rows previewed (rows it rejects are in `rejects`). */
  readonly trackingPlan?: ContractReport
}

/**
 * Maps the first rows of the source, as a sync would, and stops reading there. Sends nothing and
 * needs no write key.
 *
 * @example
 * ```ts
 * const { messages, rejects } = await preview({ source: { type: "csv", path: "scores.csv" }, event: "Churn Scored", customerId: "customer_id", limit: 3 })
 * ```
 */
export const preview = async (options: PreviewOptions): Promise<Preview> => {
  const limit = options.limit ?? 5
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new OptionsError("limit: a whole number from 1 to 10,000", "limit")
  const sync = await resolveOptions(options, false)
  const contract = await trackingPlanContractOf(options)
  const result = await runEffect(
    previewRows({ spec: sync.spec, limit, library: NODE_LIBRARY }).pipe(
      Effect.provide(await sourceLayer(sync)),
      startErrors,
      Effect.provideService(MessageContract, contract)
    )
  )
  return { ...result, messages: result.messages.map((message) => JSON.parse(message) as Record<string, unknown>) }
}

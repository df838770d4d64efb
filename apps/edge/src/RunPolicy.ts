import { type DeliveryReport, missingColumns, oneLineError, type SyncSpec } from "@tablecast/core"
import { compileMapper } from "@tablecast/core/mapper"
import { writeKeyProblem } from "@tablecast/segment/write-key"
import type * as Redacted from "effect/Redacted"
import type { EdgeConfig, EdgeLimits } from "./EdgeConfig.ts"
import { RequestError } from "./RequestError.ts"
import { type RunRequest, WriteKeyHeader } from "./RunRequest.ts"
import { version } from "./Version.ts"

/**
 * What `POST /v1/runs` decides about a checked request before anything is sent or queued: the
 * write key, how the run is carried out, whether it may be queued, and the status it is answered
 * with. Each decision refuses with a `RequestError` (status and field) or returns what to do.
 */

/** The request's own write key, else the deployment's; 400 when there is neither. */
export const writeKeyFor = (request: RunRequest, config: EdgeConfig): Redacted.Redacted<string> => {
  const writeKey = request.writeKey ?? config.writeKey
  if (writeKey === undefined) {
    throw new RequestError({
      status: 400,
      field: `header ${WriteKeyHeader}`,
      message: `no Segment write key: send ${WriteKeyHeader}, or set the SEGMENT_WRITE_KEY secret`
    })
  }
  return writeKey
}

/** Refuses a write key the transport could not send, as the transport's own check words it. */
export const checkWriteKey = (writeKey: Redacted.Redacted<string>): void => {
  const problem = writeKeyProblem(writeKey)
  // Worded as the transport's options check words it; never quotes the key.
  if (problem !== undefined) throw new RequestError({ status: 400, field: "writeKey", message: `writeKey: ${problem}` })
}

/** Why the rows are over the synchronous budget (rows, or rows × columns), or undefined. */
export const overSyncBudget = (request: RunRequest, limits: EdgeLimits): string | undefined => {
  const rows = request.rows.items.length
  const cells = rows * Math.max(1, request.rows.columns)
  return rows > limits.SYNC_MAX_ROWS
    ? `${rows} rows is over the synchronous limit of ${limits.SYNC_MAX_ROWS}`
    : cells > limits.SYNC_MAX_CELLS
      ? `${rows} rows × ${request.rows.columns} columns is over the synchronous budget of ${limits.SYNC_MAX_CELLS} cells`
      : undefined
}

/**
 * How the run is carried out: `queue` when asked, or when `auto` and over the synchronous budget;
 * `sync` otherwise. 413 when the rows must be queued and the deployment has no queue, or when
 * `sync` was asked over the budget.
 */
export const runModeOf = (request: RunRequest, limits: EdgeLimits, canQueue: boolean): "sync" | "queue" => {
  const overBudget = overSyncBudget(request, limits)
  if (request.mode === "queue" || (request.mode === "auto" && overBudget !== undefined)) {
    if (!canQueue) {
      throw new RequestError({
        status: 413,
        field: "rows",
        message: `${overBudget ?? "mode=queue was asked"}, and this deployment has no queue (queued runs need Cloudflare Queues); split the rows`
      })
    }
    return "queue"
  }
  if (overBudget !== undefined) {
    throw new RequestError({ status: 413, field: "rows", message: `${overBudget}; send it with mode=queue (or mode=auto), or split the rows` })
  }
  return "sync"
}

/**
 * Before anything is queued, what the consumers would meet and refuse: a write key the transport
 * cannot send, a spec the mapper cannot compile, a CSV header without the spec's columns. (A
 * synchronous run finds these in its pipeline and tells them in its report.)
 */
export const checkBeforeQueueing = (request: RunRequest, writeKey: Redacted.Redacted<string>): void => {
  checkWriteKey(writeKey)
  const spec: SyncSpec = request.spec
  try {
    compileMapper(spec, { name: "tablecast-edge", version })
  } catch (error) {
    throw new RequestError({ status: 400, field: "spec", message: `the sync cannot be mapped: ${oneLineError(error)}` })
  }
  if (request.rows.names !== undefined) {
    const missing = missingColumns(spec, request.rows.names)
    if (missing !== undefined) throw new RequestError({ status: 400, field: "spec", message: missing.message })
  }
}

/** The counts of a finished run for its log line: no row values, ids or keys. */
export const runLogFields = (report: DeliveryReport) => ({
  outcome: report.outcome,
  rowsRead: report.rows.read,
  rowsRejected: report.rows.rejected,
  messagesAccepted: report.messages.accepted,
  messagesRefused: report.messages.refused,
  messagesUndelivered: report.messages.undelivered,
  requests: report.batches.requests,
  retries: report.batches.retries,
  durationMillis: report.durationMillis,
  fatal: report.fatal?.kind
})

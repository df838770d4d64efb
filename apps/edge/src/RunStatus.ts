import {
  checkBooks,
  combineReports,
  type ContractReport,
  combineSending,
  type DeliveryReport,
  type FatalError,
  type RejectedRow,
  type RejectStage,
  type RunOutcome,
  outcomeOf,
  type SendingFigures
} from "@tablecast/core"
import type { AlertFormat, AlertTrigger } from "@tablecast/core/notify"
import type { RunningEdgeRun } from "./history/EdgeRunEntry.ts"
import type { AlertOutcome } from "./notify/AlertDelivery.ts"
import type { SealedWriteKey } from "./SealedWriteKey.ts"
import { combineTrackingPlanReports } from "./TrackingPlanReports.ts"

/** What a queued run is, written once when it is accepted. */
export interface RunMeta {
  readonly runId: string
  readonly sync: string
  readonly source: string
  readonly endpoint: string
  readonly format: "json" | "csv"
  /** Rows the request held. */
  readonly rows: number
  /** Queue messages the rows were split into. */
  readonly chunks: number
  readonly startedAt: string
  /** The run as the run history lists it while it is delivered; its record replaces it once done. */
  readonly history?: RunningEdgeRun
  /** Where and when to alert once the run is done; the webhook URL sealed like a request's write key. */
  readonly notify?: {
    readonly url: SealedWriteKey
    readonly on: ReadonlyArray<AlertTrigger>
    readonly rejectsOver: number
    readonly format: AlertFormat
  }
  /** Set when enqueueing failed part-way: chunks from this index on were never sent. */
  readonly enqueueFailure?: { readonly fromChunk: number; readonly rows: number; readonly message: string }
}

/** The account of one chunk, from the delivery report of its last attempt. */
export interface ChunkResult {
  readonly chunk: number
  readonly firstRow: number
  /** Rows in the chunk. */
  readonly rows: number
  /** Deliveries of the chunk's queue message, this one included. */
  readonly attempts: number
  /** The chunk went to the dead-letter queue (some messages undelivered, or the run had stopped). */
  readonly deadLettered: boolean
  /** The chunk was not read because the run had stopped before it came up. */
  readonly skipped: boolean
  readonly finishedAt: string
  readonly report: ChunkReport
}

/** The parts of a chunk's delivery report that add up across chunks. */
export type ChunkReport = Pick<
  DeliveryReport,
  "outcome" | "rows" | "messages" | "batches" | "bytesSent" | "rejects" | "fatal" | "sending" | "trackingPlan"
>

const SampleSize = 20

/** Keeps a report's sums and a sample of rejects without row values (they may be personal data). */
export const chunkReportOf = (report: DeliveryReport): ChunkReport => ({
  outcome: report.outcome,
  rows: report.rows,
  messages: report.messages,
  batches: report.batches,
  bytesSent: report.bytesSent,
  rejects: {
    total: report.rejects.total,
    byStage: report.rejects.byStage,
    sample: report.rejects.sample.slice(0, SampleSize).map(withoutValues)
  },
  ...(report.fatal === undefined ? {} : { fatal: report.fatal }),
  ...(report.sending === undefined ? {} : { sending: report.sending }),
  ...(report.trackingPlan === undefined ? {} : { trackingPlan: report.trackingPlan })
})

export const withoutValues = (reject: RejectedRow): RejectedRow => {
  if (reject.values === undefined) return reject
  const { values: _values, ...rest } = reject
  return rest
}

/** The state of a queued run, as `GET /v1/runs/:id` tells it. */
export interface RunStatus {
  readonly runId: string
  /** `running` until every chunk is accounted for, then `done`. */
  readonly state: "running" | "done"
  /** Set when done: as in a delivery report. */
  readonly outcome?: RunOutcome
  readonly sync: string
  readonly source: string
  readonly endpoint: string
  readonly startedAt: string
  readonly finishedAt?: string
  readonly chunks: {
    readonly total: number
    readonly done: number
    readonly pending: number
    readonly deadLettered: number
  }
  /**
   * Every row is in exactly one place once done: `total = read + unread`, and
   * `read = mapped + rejected + skipped` (`skipped`: settled by an earlier run; 0 on the edge). `unread` rows were never read because the run stopped (their
   * chunks are in the dead-letter queue) or could not be enqueued.
   */
  readonly rows: {
    readonly total: number
    readonly read: number
    readonly mapped: number
    readonly rejected: number
    readonly skipped: number
    readonly unread: number
    readonly pending: number
  }
  readonly messages: DeliveryReport["messages"]
  readonly batches: DeliveryReport["batches"]
  readonly bytesSent: number
  readonly rejects: {
    readonly total: number
    readonly byStage: Readonly<Record<RejectStage, number>>
    readonly sample: ReadonlyArray<RejectedRow>
  }
  /** How the chunks sent, combined: 429s and their waits summed, the limits reached (`combineSending`). */
  readonly sending?: SendingFigures
  /** What the run's tracking plan found, the chunks' reports combined (as in a delivery report); absent without a plan. */
  readonly trackingPlan?: ContractReport
  readonly fatal?: FatalError
  /** The run's alert, once done, when the run asked for one and a trigger fired: sent, or why not. */
  readonly alert?: AlertOutcome | { readonly trigger: AlertTrigger; readonly state: "sending" }
}

/** Adds up the chunks recorded so far. Recording a chunk again replaces it (queues deliver at least once). */
export const summarizeRun = (meta: RunMeta, results: ReadonlyArray<ChunkResult>, fatal?: FatalError): RunStatus => {
  const ordered = [...results].sort((a, b) => a.chunk - b.chunk)
  let unread = 0
  let deadLettered = 0
  let finishedAt = meta.startedAt
  let rowsDone = 0
  for (const result of ordered) {
    rowsDone += result.rows
    if (result.deadLettered) deadLettered += 1
    if (result.finishedAt > finishedAt) finishedAt = result.finishedAt
    // A skipped chunk read none of its rows; a chunk whose run stopped mid-way read fewer than it held.
    unread += result.skipped ? result.rows : Math.max(0, result.rows - result.report.rows.read)
  }
  const sums = combineReports(
    ordered.filter((result) => !result.skipped).map((result) => result.report),
    SampleSize
  )
  const rows = { ...sums.rows, unread }
  const { messages, batches, bytesSent, rejects } = sums
  const sending = combineSending(ordered.map((result) => result.report.sending))
  const trackingPlan = combineTrackingPlanReports(ordered.map((result) => result.report.trackingPlan))

  const failure = meta.enqueueFailure
  if (failure !== undefined) rows.unread += failure.rows
  const chunksTotal = failure === undefined ? meta.chunks : failure.fromChunk
  const done = ordered.length
  const isDone = done >= chunksTotal
  const pendingRows = Math.max(0, meta.rows - rowsDone - (failure?.rows ?? 0))
  const stopped = fatal ?? (failure === undefined ? undefined : { kind: "internal" as const, message: `enqueueing stopped: ${failure.message}` })
  // The run's books, once every chunk is in: a chunk that did not balance, or sums that do not, fail
  // the run as unbalanced; it is never reported completed.
  const unbalancedChunk = ordered.find((result) => result.report.fatal?.kind === "unbalanced")?.report.fatal
  const runFatal: FatalError | undefined = isDone ? (checkBooks({ rows, messages }, unbalancedChunk ?? stopped) ?? stopped) : stopped
  const outcome = outcomeOf({ fatal: runFatal, messages, unreadRows: rows.unread })

  return {
    runId: meta.runId,
    state: isDone ? "done" : "running",
    ...(isDone ? { outcome, finishedAt } : {}),
    sync: meta.sync,
    source: meta.source,
    endpoint: meta.endpoint,
    startedAt: meta.startedAt,
    chunks: { total: chunksTotal, done, pending: Math.max(0, chunksTotal - done), deadLettered },
    rows: { total: meta.rows, ...rows, pending: pendingRows },
    messages,
    batches,
    bytesSent,
    rejects,
    ...(sending === undefined ? {} : { sending }),
    ...(trackingPlan === undefined ? {} : { trackingPlan }),
    ...(runFatal === undefined ? {} : { fatal: runFatal })
  }
}

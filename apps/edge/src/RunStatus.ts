import { checkBooks, type DeliveryReport, type FatalError, type RejectedRow, type RejectStage, type RunOutcome } from "@tablecast/core"

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
export interface ChunkReport {
  readonly outcome: RunOutcome
  readonly rows: DeliveryReport["rows"]
  readonly messages: DeliveryReport["messages"]
  readonly batches: DeliveryReport["batches"]
  readonly bytesSent: number
  readonly rejects: {
    readonly total: number
    readonly byStage: Readonly<Record<RejectStage, number>>
    readonly sample: ReadonlyArray<RejectedRow>
  }
  readonly fatal?: FatalError
}

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
  ...(report.fatal === undefined ? {} : { fatal: report.fatal })
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
  readonly fatal?: FatalError
}

const noStages = (): Record<RejectStage, number> => ({
  source: 0,
  validation: 0,
  "batch-refused": 0,
  undelivered: 0
})

/** Adds up the chunks recorded so far. Recording a chunk again replaces it (queues deliver at least once). */
export const summarizeRun = (meta: RunMeta, results: ReadonlyArray<ChunkResult>, fatal?: FatalError): RunStatus => {
  const ordered = [...results].sort((a, b) => a.chunk - b.chunk)
  const rows = { read: 0, mapped: 0, rejected: 0, skipped: 0, unread: 0 }
  const messages = { built: 0, sent: 0, accepted: 0, refused: 0, undelivered: 0 }
  const batches = { accepted: 0, refused: 0, undelivered: 0, planned: 0, requests: 0, retries: 0 }
  const byStage = noStages()
  const sample: Array<RejectedRow> = []
  let bytesSent = 0
  let rejectsTotal = 0
  let deadLettered = 0
  let finishedAt = meta.startedAt
  let rowsDone = 0

  for (const result of ordered) {
    const report = result.report
    rowsDone += result.rows
    if (result.deadLettered) deadLettered += 1
    if (result.finishedAt > finishedAt) finishedAt = result.finishedAt
    if (result.skipped) {
      rows.unread += result.rows
      continue
    }
    rows.read += report.rows.read
    rows.mapped += report.rows.mapped
    rows.rejected += report.rows.rejected
    rows.skipped += report.rows.skipped ?? 0
    // A chunk whose run stopped mid-way read fewer rows than it held.
    rows.unread += Math.max(0, result.rows - report.rows.read)
    messages.built += report.messages.built
    messages.sent += report.messages.sent
    messages.accepted += report.messages.accepted
    messages.refused += report.messages.refused
    messages.undelivered += report.messages.undelivered
    batches.accepted += report.batches.accepted
    batches.refused += report.batches.refused
    batches.undelivered += report.batches.undelivered
    batches.planned += report.batches.planned ?? 0
    batches.requests += report.batches.requests
    batches.retries += report.batches.retries
    bytesSent += report.bytesSent
    rejectsTotal += report.rejects.total
    for (const stage of Object.keys(byStage) as Array<RejectStage>) byStage[stage] += report.rejects.byStage[stage] ?? 0
    for (const reject of report.rejects.sample) if (sample.length < SampleSize) sample.push(reject)
  }

  const failure = meta.enqueueFailure
  if (failure !== undefined) rows.unread += failure.rows
  const chunksTotal = failure === undefined ? meta.chunks : failure.fromChunk
  const done = ordered.length
  const isDone = done >= chunksTotal
  const pendingRows = Math.max(0, meta.rows - rowsDone - (failure?.rows ?? 0))
  const stopped =
    fatal ??
    (failure === undefined ? undefined : { kind: "internal" as const, message: `enqueueing stopped: ${failure.message}` })
  // The run's books, once every chunk is in: a chunk that did not balance, or sums that do not, fail
  // the run as unbalanced; it is never reported completed.
  const unbalancedChunk = ordered.find((result) => result.report.fatal?.kind === "unbalanced")?.report.fatal
  const runFatal: FatalError | undefined = isDone ? (checkBooks({ rows, messages }, unbalancedChunk ?? stopped) ?? stopped) : stopped
  const outcome: RunOutcome =
    runFatal !== undefined || rows.unread > 0
      ? "aborted"
      : messages.refused > 0 || messages.undelivered > 0
        ? "incomplete"
        : "completed"

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
    rejects: { total: rejectsTotal, byStage, sample },
    ...(runFatal === undefined ? {} : { fatal: runFatal })
  }
}

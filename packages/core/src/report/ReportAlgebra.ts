import type { DeliveryReport, FatalError, RunOutcome, SendingFigures } from "./DeliveryReport.ts"
import type { RejectedRow, RejectStage } from "./RejectSink.ts"

/**
 * The parts of a delivery report that add up: the account of several runs over parts of one table
 * (the edge's queued chunks) is their sum. `rows.repeated` does not add up (a repeat is counted
 * within one run), so it is left out.
 */
export interface ReportSums {
  readonly rows: Pick<DeliveryReport["rows"], "read" | "mapped" | "rejected" | "skipped">
  readonly messages: DeliveryReport["messages"]
  readonly batches: DeliveryReport["batches"]
  readonly bytesSent: number
  readonly rejects: DeliveryReport["rejects"]
}

/** What decides a run's outcome. */
export interface OutcomeInput {
  readonly fatal?: FatalError | undefined
  readonly messages: Pick<DeliveryReport["messages"], "refused" | "undelivered">
  /** Rows of the table never read (a queued run's chunks skipped after a stop, or never enqueued). */
  readonly unreadRows?: number
}

/**
 * The outcome rule, the one place it is written: a fatal error, or rows never read, abort the run;
 * otherwise any message refused or undelivered leaves it incomplete; otherwise it completed (rows
 * refused by validation may exist: they are rejects, not failures of delivery).
 */
export const outcomeOf = (input: OutcomeInput): RunOutcome =>
  input.fatal !== undefined || (input.unreadRows ?? 0) > 0
    ? "aborted"
    : input.messages.refused + input.messages.undelivered > 0
      ? "incomplete"
      : "completed"

const noStages = (): Record<RejectStage, number> => ({ source: 0, validation: 0, "batch-refused": 0, undelivered: 0 })

/** The sums of no run: the start of a combination. */
export const emptySums = (): ReportSums => ({
  rows: { read: 0, mapped: 0, rejected: 0, skipped: 0 },
  messages: { built: 0, sent: 0, accepted: 0, refused: 0, undelivered: 0 },
  batches: { accepted: 0, refused: 0, undelivered: 0, planned: 0, requests: 0, retries: 0 },
  bytesSent: 0,
  rejects: { total: 0, byStage: noStages(), sample: [] }
})

/**
 * Adds up reports, in order: counts are summed, the rejects' sample keeps the first `sampleSize`
 * rejects in report order. Tolerates reports recorded by older versions (a missing `skipped`,
 * `planned` or stage counts as 0).
 */
export const combineReports = (reports: Iterable<ReportSums>, sampleSize: number): ReportSums => {
  const rows = { read: 0, mapped: 0, rejected: 0, skipped: 0 }
  const messages = { built: 0, sent: 0, accepted: 0, refused: 0, undelivered: 0 }
  const batches = { accepted: 0, refused: 0, undelivered: 0, planned: 0, requests: 0, retries: 0 }
  let requestsForBisection = 0
  const byStage = noStages()
  const sample: Array<RejectedRow> = []
  let bytesSent = 0
  let rejects = 0
  for (const report of reports) {
    rows.read += report.rows.read
    rows.mapped += report.rows.mapped
    rows.rejected += report.rows.rejected
    rows.skipped += report.rows.skipped ?? 0
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
    requestsForBisection += report.batches.requestsForBisection ?? 0
    batches.retries += report.batches.retries
    bytesSent += report.bytesSent
    rejects += report.rejects.total
    for (const stage of Object.keys(byStage) as Array<RejectStage>) byStage[stage] += report.rejects.byStage[stage] ?? 0
    for (const reject of report.rejects.sample) {
      if (sample.length >= sampleSize) break
      sample.push(reject)
    }
  }
  return {
    rows,
    messages,
    batches: requestsForBisection === 0 ? batches : { ...batches, requestsForBisection },
    bytesSent,
    rejects: { total: rejects, byStage, sample }
  }
}

/**
 * The sending figures of several pipelines that sent one run's rows (the chunks of a queued edge
 * run): 429s, their waits and the rate cuts add up; the limits are the highest reached and, at the
 * end, the highest concurrency and the lowest rate any of them kept. Undefined when none sent.
 */
export const combineSending = (figures: Iterable<SendingFigures | undefined>): SendingFigures | undefined => {
  let combined: SendingFigures | undefined
  for (const next of figures) {
    if (next === undefined) continue
    if (combined === undefined) {
      combined = next
      continue
    }
    const rateLimit =
      combined.rateLimit === undefined
        ? next.rateLimit
        : next.rateLimit === undefined
          ? combined.rateLimit
          : Math.min(combined.rateLimit, next.rateLimit)
    combined = {
      throttled: combined.throttled + next.throttled,
      throttleWaitMillis: combined.throttleWaitMillis + next.throttleWaitMillis,
      concurrencyLimit: Math.max(combined.concurrencyLimit, next.concurrencyLimit),
      concurrencyLimitPeak: Math.max(combined.concurrencyLimitPeak, next.concurrencyLimitPeak),
      ...(rateLimit === undefined ? {} : { rateLimit }),
      rateCuts: combined.rateCuts + next.rateCuts
    }
  }
  return combined
}

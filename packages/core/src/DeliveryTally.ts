import type { DeliveryReport, FatalError, RunOutcome } from "./DeliveryReport.ts"
import type { ProgressSnapshot } from "./Progress.ts"
import type { RejectedRow, RejectStage } from "./RejectSink.ts"
import { outcomeOf } from "./report/ReportAlgebra.ts"

const SAMPLE_SIZE = 100

/**
 * The running account of a sync. Mutable on purpose: it is touched for every row on one thread,
 * and a report is a snapshot of it. Counting is separate from deciding, so every path that
 * settles messages goes through one of the `settle*` methods and the totals always add up.
 */
export class DeliveryTally {
  rowsRead = 0
  rowsMapped = 0
  rowsRejected = 0
  rowsSkipped = 0
  /** Rows mapped whose content repeats an earlier row's in the run (their messageIds carry the occurrence). */
  rowsRepeated = 0
  resumedFrom: number | undefined = undefined
  checkpoint: DeliveryReport["checkpoint"] = undefined
  messagesBuilt = 0
  messagesSent = 0
  messagesAccepted = 0
  messagesRefused = 0
  messagesUndelivered = 0
  batchesAccepted = 0
  batchesRefused = 0
  batchesUndelivered = 0
  batchesPlanned = 0
  batchesInFlight = 0
  requests = 0
  retries = 0
  bytesSent = 0
  estimatedRows: number | undefined = undefined
  fatal: FatalError | undefined = undefined
  undeliveredRows: DeliveryReport["undeliveredRows"] = undefined
  private rejectsTotal = 0
  private readonly byStage: Record<RejectStage, number> = { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }
  private readonly sample: Array<RejectedRow> = []

  constructor(readonly startedAtMillis: number) {}

  /** Records rejects for the report; the caller passes them on to the RejectSink. */
  recordRejects(rejects: ReadonlyArray<RejectedRow>): void {
    for (const reject of rejects) {
      this.rejectsTotal++
      this.byStage[reject.stage]++
      if (this.sample.length < SAMPLE_SIZE) {
        const { values: _values, ...withoutValues } = reject
        this.sample.push(withoutValues)
      }
    }
  }

  /** The rejects part of a report: totals by stage and the first rejects. */
  rejects(): DeliveryReport["rejects"] {
    return { total: this.rejectsTotal, byStage: { ...this.byStage }, sample: [...this.sample] }
  }

  /** Messages built but not yet settled: queued, batched, or in flight. */
  get messagesPending(): number {
    return this.messagesBuilt - this.messagesAccepted - this.messagesRefused - this.messagesUndelivered
  }

  snapshot(nowMillis: number): ProgressSnapshot {
    return {
      rowsRead: this.rowsRead,
      rowsRejected: this.rowsRejected,
      messagesBuilt: this.messagesBuilt,
      messagesAccepted: this.messagesAccepted,
      messagesFailed: this.messagesRefused + this.messagesUndelivered,
      messagesQueued: Math.max(0, this.messagesPending),
      batchesInFlight: this.batchesInFlight,
      retries: this.retries,
      estimatedRows: this.estimatedRows,
      elapsedMillis: nowMillis - this.startedAtMillis
    }
  }

  outcome(): RunOutcome {
    return outcomeOf({ fatal: this.fatal, messages: { refused: this.messagesRefused, undelivered: this.messagesUndelivered } })
  }

  report(meta: { sync: string; source: string; endpoint: string; dryRun: boolean }, nowMillis: number): DeliveryReport {
    return {
      outcome: this.outcome(),
      dryRun: meta.dryRun,
      sync: meta.sync,
      source: meta.source,
      endpoint: meta.endpoint,
      startedAt: new Date(this.startedAtMillis).toISOString(),
      finishedAt: new Date(nowMillis).toISOString(),
      durationMillis: nowMillis - this.startedAtMillis,
      rows: { read: this.rowsRead, mapped: this.rowsMapped, rejected: this.rowsRejected, skipped: this.rowsSkipped, ...(this.rowsRepeated === 0 ? {} : { repeated: this.rowsRepeated }) },
      ...(this.resumedFrom === undefined ? {} : { resumedFrom: this.resumedFrom }),
      ...(this.checkpoint === undefined ? {} : { checkpoint: this.checkpoint }),
      messages: {
        built: this.messagesBuilt,
        sent: this.messagesSent,
        accepted: this.messagesAccepted,
        refused: this.messagesRefused,
        undelivered: this.messagesUndelivered
      },
      batches: {
        accepted: this.batchesAccepted,
        refused: this.batchesRefused,
        undelivered: this.batchesUndelivered,
        planned: this.batchesPlanned,
        requests: this.requests,
        retries: this.retries
      },
      bytesSent: this.bytesSent,
      rejects: this.rejects(),
      ...(this.fatal === undefined ? {} : { fatal: this.fatal }),
      ...(this.undeliveredRows === undefined ? {} : { undeliveredRows: this.undeliveredRows })
    }
  }
}

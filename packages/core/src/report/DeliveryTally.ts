import { booksProblem } from "./Books.ts"
import type { DeliveryReport, RunOutcome, SendingFigures } from "./DeliveryReport.ts"
import type { ProgressSnapshot } from "./Progress.ts"
import { BooksUnbalanced, type Fatal, fatalRecord } from "./Fatal.ts"
import type { RejectedRow, RejectStage } from "./RejectSink.ts"
import { outcomeOf } from "./ReportAlgebra.ts"
import type { ContractTally } from "../contract/ContractTally.ts"

const SAMPLE_SIZE = 100

/**
 * The running account of a sync. Mutable on purpose: it is touched for every row on one thread,
 * and a report is a snapshot of it. Counting is separate from deciding: the counts are read-only
 * from outside, and every path that changes them goes through a named operation below (rows
 * counted, batches sent, messages settled), so the totals always add up.
 */
export class DeliveryTally {
  #rowsRead = 0
  #rowsMapped = 0
  #rowsRejected = 0
  #rowsSkipped = 0
  #rowsRepeated = 0
  #resumedFrom: number | undefined = undefined
  #checkpoint: DeliveryReport["checkpoint"] = undefined
  #messagesBuilt = 0
  #messagesSent = 0
  #messagesAccepted = 0
  #messagesRefused = 0
  #messagesUndelivered = 0
  #messagesPlanned = 0
  #batchesAccepted = 0
  #batchesRefused = 0
  #batchesUndelivered = 0
  #batchesPlanned = 0
  #batchesInFlight = 0
  #requests = 0
  #requestsForBisection = 0
  #retries = 0
  #bytesSent = 0
  #estimatedRows: number | undefined = undefined
  #fatal: Fatal | undefined = undefined
  #undeliveredRows: DeliveryReport["undeliveredRows"] = undefined
  #rejectsTotal = 0
  readonly #byStage: Record<RejectStage, number> = { source: 0, validation: 0, "batch-refused": 0, undelivered: 0 }
  readonly #sample: Array<RejectedRow> = []
  #sendingFigures: (() => SendingFigures) | undefined = undefined
  #contract: ContractTally | undefined = undefined

  constructor(readonly startedAtMillis: number) {}

  get rowsRead(): number {
    return this.#rowsRead
  }
  get rowsMapped(): number {
    return this.#rowsMapped
  }
  get rowsRejected(): number {
    return this.#rowsRejected
  }
  get rowsSkipped(): number {
    return this.#rowsSkipped
  }
  /** Rows mapped whose content repeats an earlier row's in the run (their messageIds carry the occurrence). */
  get rowsRepeated(): number {
    return this.#rowsRepeated
  }
  get messagesBuilt(): number {
    return this.#messagesBuilt
  }
  get messagesAccepted(): number {
    return this.#messagesAccepted
  }
  get messagesRefused(): number {
    return this.#messagesRefused
  }
  get messagesUndelivered(): number {
    return this.#messagesUndelivered
  }
  /** Messages a dry run placed in the batches it planned: settled by being planned. */
  get messagesPlanned(): number {
    return this.#messagesPlanned
  }
  get batchesInFlight(): number {
    return this.#batchesInFlight
  }
  get requests(): number {
    return this.#requests
  }
  /** Requests that sent parts of refused batches (counted in `requests` too). */
  get requestsForBisection(): number {
    return this.#requestsForBisection
  }
  get fatal(): Fatal | undefined {
    return this.#fatal
  }

  // Before the run: what the source and the checkpoint say.

  /** The source's size, for the ETA. */
  estimate(rows: number | undefined): void {
    this.#estimatedRows = rows
  }

  /** The run resumes after this watermark of an interrupted run. */
  resumeFrom(watermark: number): void {
    this.#resumedFrom = watermark
  }

  /** The checkpoint last saved. */
  checkpointSaved(checkpoint: NonNullable<DeliveryReport["checkpoint"]>): void {
    this.#checkpoint = checkpoint
  }

  // Reading: each row read lands in exactly one of skipped, rejected or mapped.

  countRead(rows = 1): void {
    this.#rowsRead += rows
  }

  countSkipped(rows = 1): void {
    this.#rowsSkipped += rows
  }

  countRejected(rows = 1): void {
    this.#rowsRejected += rows
  }

  /** A row mapped into `messages` messages; `repeated` when its content repeats an earlier row's. */
  countMapped(messages: number, repeated: boolean): void {
    this.#rowsMapped++
    if (repeated) this.#rowsRepeated++
    this.#messagesBuilt += messages
  }

  /** Records rejects for the report; the caller passes them on to the RejectSink. */
  recordRejects(rejects: ReadonlyArray<RejectedRow>): void {
    for (const reject of rejects) {
      this.#rejectsTotal++
      this.#byStage[reject.stage]++
      if (this.#sample.length < SAMPLE_SIZE) {
        const { values: _values, ...withoutValues } = reject
        this.#sample.push(withoutValues)
      }
    }
  }

  // Sending.

  /** The run's contract (a tracking plan), whose counts go into the report. */
  watchContract(contract: ContractTally | undefined): void {
    this.#contract = contract
  }

  /** Where the sending policy's figures are read from, for progress and the report. */
  watchSending(figures: (() => SendingFigures) | undefined): void {
    this.#sendingFigures = figures
  }

  /** A batch handed to a sender (`+1`) or back from one (`-1`). */
  batchInFlight(change: 1 | -1): void {
    this.#batchesInFlight += change
  }

  /** A batch's messages posted for the first time. */
  messagesPosted(count: number): void {
    this.#messagesSent += count
  }

  /**
   * One HTTP request of `bytes` body bytes (retries count too); `forBisection` when it sent a part
   * of a refused batch, to find the messages the endpoint refuses.
   */
  requestMade(bytes: number, forBisection = false): void {
    this.#requests++
    if (forBisection) this.#requestsForBisection++
    this.#bytesSent += bytes
  }

  retryScheduled(): void {
    this.#retries++
  }

  // Settlement: every message built ends accepted, refused, undelivered or (dry run) planned.

  settleAccepted(messages: number): void {
    this.#messagesAccepted += messages
    this.#batchesAccepted++
  }

  settleRefused(messages: number): void {
    this.#messagesRefused += messages
    this.#batchesRefused++
  }

  /** Messages not delivered: a batch of them (`batches` 1), or messages never put in a sent batch (0). */
  settleUndelivered(messages: number, batches: 0 | 1): void {
    this.#messagesUndelivered += messages
    this.#batchesUndelivered += batches
  }

  /** A batch a dry run planned and did not send. */
  settlePlanned(messages: number): void {
    this.#messagesPlanned += messages
    this.#batchesPlanned++
  }

  /** The rows of the undelivered messages, as ranges. */
  listUndelivered(rows: NonNullable<DeliveryReport["undeliveredRows"]>): void {
    this.#undeliveredRows = rows
  }

  // Why the run stopped.

  /** The first cause stands. */
  fail(fatal: Fatal): void {
    this.#fatal ??= fatal
  }

  /** The first cause stands, unless it is a stop request: a later cause (a bug, a stop at once) replaces that. */
  failReplacingStop(fatal: Fatal): void {
    if (this.#fatal === undefined || this.#fatal._tag === "Interrupted") this.#fatal = fatal
  }

  /** Checks the books: a run that does not balance fails as unbalanced, whatever else happened. */
  balanceBooks(): void {
    if (this.#fatal?._tag === "BooksUnbalanced") return
    const problem = booksProblem(
      {
        rows: { read: this.#rowsRead, skipped: this.#rowsSkipped, rejected: this.#rowsRejected, mapped: this.#rowsMapped },
        messages: {
          built: this.#messagesBuilt,
          accepted: this.#messagesAccepted,
          refused: this.#messagesRefused,
          undelivered: this.#messagesUndelivered
        },
        planned: this.#messagesPlanned
      },
      this.#fatal === undefined ? undefined : fatalRecord(this.#fatal)
    )
    if (problem !== undefined) this.#fatal = new BooksUnbalanced({ message: problem })
  }

  /** The rejects part of a report: totals by stage and the first rejects. */
  rejects(): DeliveryReport["rejects"] {
    return { total: this.#rejectsTotal, byStage: { ...this.#byStage }, sample: [...this.#sample] }
  }

  /** Messages built but not yet settled: queued, batched, or in flight. */
  get messagesPending(): number {
    return this.#messagesBuilt - this.#messagesAccepted - this.#messagesRefused - this.#messagesUndelivered
  }

  snapshot(nowMillis: number): ProgressSnapshot {
    const sending = this.#sendingFigures?.()
    return {
      rowsRead: this.#rowsRead,
      rowsRejected: this.#rowsRejected,
      messagesBuilt: this.#messagesBuilt,
      messagesAccepted: this.#messagesAccepted,
      messagesFailed: this.#messagesRefused + this.#messagesUndelivered,
      messagesQueued: Math.max(0, this.messagesPending),
      batchesInFlight: this.#batchesInFlight,
      ...(sending === undefined
        ? {}
        : {
            concurrencyLimit: sending.concurrencyLimit,
            ...(sending.rateLimit === undefined ? {} : { rateLimit: sending.rateLimit }),
            throttleWaitMillis: sending.throttleWaitMillis,
            throttled: sending.throttled
          }),
      retries: this.#retries,
      estimatedRows: this.#estimatedRows,
      elapsedMillis: nowMillis - this.startedAtMillis
    }
  }

  outcome(): RunOutcome {
    return outcomeOf({
      fatal: this.#fatal === undefined ? undefined : fatalRecord(this.#fatal),
      messages: { refused: this.#messagesRefused, undelivered: this.#messagesUndelivered }
    })
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
      rows: {
        read: this.#rowsRead,
        mapped: this.#rowsMapped,
        rejected: this.#rowsRejected,
        skipped: this.#rowsSkipped,
        ...(this.#rowsRepeated === 0 ? {} : { repeated: this.#rowsRepeated })
      },
      ...(this.#resumedFrom === undefined ? {} : { resumedFrom: this.#resumedFrom }),
      ...(this.#checkpoint === undefined ? {} : { checkpoint: this.#checkpoint }),
      messages: {
        built: this.#messagesBuilt,
        sent: this.#messagesSent,
        accepted: this.#messagesAccepted,
        refused: this.#messagesRefused,
        undelivered: this.#messagesUndelivered
      },
      batches: {
        accepted: this.#batchesAccepted,
        refused: this.#batchesRefused,
        undelivered: this.#batchesUndelivered,
        planned: this.#batchesPlanned,
        requests: this.#requests,
        ...(this.#requestsForBisection === 0 ? {} : { requestsForBisection: this.#requestsForBisection }),
        retries: this.#retries
      },
      bytesSent: this.#bytesSent,
      ...(this.#sendingFigures === undefined || meta.dryRun ? {} : { sending: this.#sendingFigures() }),
      rejects: this.rejects(),
      ...(this.#contract === undefined ? {} : { trackingPlan: this.#contract.report() }),
      ...(this.#fatal === undefined ? {} : { fatal: fatalRecord(this.#fatal) }),
      ...(this.#undeliveredRows === undefined ? {} : { undeliveredRows: this.#undeliveredRows })
    }
  }
}

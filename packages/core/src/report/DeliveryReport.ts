import type { ContractReport } from "../contract/ContractReport.ts"
import type { RejectedRow, RejectStage } from "./RejectSink.ts"

/**
 * - `completed`: every valid message was accepted (rows refused by validation may exist).
 * - `incomplete`: the run finished, but some batches were refused or could not be delivered.
 * - `aborted`: a fatal error stopped the run (invalid write key, source failure, stop signal).
 */
export type RunOutcome = "completed" | "incomplete" | "aborted"

/** Why a run stopped early. Never holds a secret. */
export interface FatalError {
  readonly kind:
    | "auth"
    | "spec"
    | "source"
    | "source-changed"
    | "checkpoint"
    | "interrupted"
    | "max-rejects"
    | "guard"
    | "state"
    | "internal"
    /** The books did not balance: rows or messages unaccounted for (a bug; exit code 10). */
    | "unbalanced"
    /** An output (the rejects file, a checkpoint, the report) could not be written. */
    | "output"
    /** The endpoint did not accept a batch within the retry budget (network errors, 5xx, 429): the run stopped. */
    | "unreachable"
  readonly message: string
  readonly status?: number
}

/**
 * How the run sent: what the sending policy adapted to. Figures at the end of the run, but for
 * the peak.
 */
export interface SendingFigures {
  /** Requests answered 429 (too many requests). */
  readonly throttled: number
  /** Time batches waited on 429s: their Retry-After waits, summed over batches, in milliseconds. */
  readonly throttleWaitMillis: number
  /** Batches allowed in flight at once at the end, and the most the limit reached. */
  readonly concurrencyLimit: number
  readonly concurrencyLimitPeak: number
  /** The request rate limit at the end, in requests per second; absent when there is none (`maxRps` 0). */
  readonly rateLimit?: number
  /** Times the rate was cut after 429s. */
  readonly rateCuts: number
}

/**
 * The account of a run. Every row read is in exactly one place:
 * `rows.read = rows.skipped + rows.rejected + rows.mapped`, and every message built is in exactly one place:
 * `messages.built = accepted + refused + undelivered` (undelivered includes what was never sent).
 */
export interface DeliveryReport {
  readonly outcome: RunOutcome
  readonly dryRun: boolean
  readonly sync: string
  readonly source: string
  readonly endpoint: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly durationMillis: number
  readonly rows: {
    readonly read: number
    /** Rows mapped into messages. */
    readonly mapped: number
    /** Rows refused by the source or by validation. */
    readonly rejected: number
    /** Rows a resumed run did not send again: the checkpoint had them settled. */
    readonly skipped: number
    /**
     * An incremental sync's removals (rows that left the table) the tracking plan stopped: not sent,
     * in the rejects, and their keys kept to be tried again. Not among `read` or `rejected` (no
     * source row); a run with any exits 3 as one with rejected rows. Absent when none.
     */
    readonly removalsRejected?: number
    /**
     * Rows mapped (of `mapped`) that repeat an earlier row of the run: each still gets a messageId
     * of its own, with its occurrence number hashed in. Absent when none (and from older versions).
     */
    readonly repeated?: number
  }
  /** The checkpoint's watermark this run resumed from, when it resumed. */
  readonly resumedFrom?: number
  /** The watermark saved at the end: every row up to it is settled for good. */
  readonly checkpoint?: {
    readonly location: string
    readonly watermark: number
    readonly complete: boolean
    /** Rows up to the watermark that a resumed run sends again (they were not delivered), as ranges. */
    readonly undelivered?: ReadonlyArray<readonly [number, number]>
  }
  /**
   * The rows of the undelivered messages, as `[from, to]` ranges (bounded in number: a range may
   * cover rows that were delivered or rejected). A run-level failure (write key refused, endpoint
   * unreachable, a stop) lists its undelivered rows here, not one reject per row.
   */
  readonly undeliveredRows?: ReadonlyArray<readonly [number, number]>
  readonly messages: {
    readonly built: number
    /** Messages posted at least once. */
    readonly sent: number
    /** Messages in batches that got a 2xx. */
    readonly accepted: number
    /**
     * Messages the endpoint refused (400, 413, 422, ...): found alone by sending a refused batch
     * again in halves, or in a batch refused as a whole (404, ...).
     */
    readonly refused: number
    /** Messages whose retries ran out, or that were never sent because the run stopped. */
    readonly undelivered: number
    /**
     * Of `built`, the messages of each call type (removals of an incremental sync included). Set
     * by `tablecast sync`; absent from other runs and from older versions.
     */
    readonly calls?: { readonly identify: number; readonly group: number; readonly track: number }
  }
  /** Requests that got their answer: a refused batch split in parts counts each part apart. */
  readonly batches: {
    /** Batches (or parts of refused batches) acknowledged with a 2xx. */
    readonly accepted: number
    readonly refused: number
    readonly undelivered: number
    /** Batches formed in a dry run (nothing is sent). */
    readonly planned: number
    /** HTTP requests made, retries included. */
    readonly requests: number
    /**
     * Of those, the requests that sent halves of refused batches to find the messages refused
     * (present when there were any).
     */
    readonly requestsForBisection?: number
    readonly retries: number
  }
  /** Request body bytes sent, retries included. */
  readonly bytesSent: number
  /** How the run sent (limits, 429s). Absent from a dry run and from older versions. */
  readonly sending?: SendingFigures
  readonly rejects: {
    readonly total: number
    readonly byStage: Readonly<Record<RejectStage, number>>
    /** The first rejects (without row values), to show in a report. All go to the RejectSink. */
    readonly sample: ReadonlyArray<RejectedRow>
  }
  /** What the run's tracking plan found (present when the run had one). */
  readonly trackingPlan?: ContractReport
  readonly fatal?: FatalError
}

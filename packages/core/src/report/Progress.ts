import * as Context from "effect/Context"

/** Live counters of a run, for a progress display. */
export interface ProgressSnapshot {
  readonly rowsRead: number
  readonly rowsRejected: number
  readonly messagesBuilt: number
  readonly messagesAccepted: number
  /** Refused or undelivered so far. */
  readonly messagesFailed: number
  /** Messages waiting in the queue or in an open batch. */
  readonly messagesQueued: number
  readonly batchesInFlight: number
  /** Batches allowed in flight now (the adaptive limit); absent when the sending policy keeps no figures. */
  readonly concurrencyLimit?: number
  /** The request rate limit now, in requests per second; absent when there is none. */
  readonly rateLimit?: number
  /** Time batches have waited on 429s so far (Retry-After waits, summed), in milliseconds. */
  readonly throttleWaitMillis?: number
  /** Requests answered 429 (too many requests) so far; absent when the sending policy keeps no figures. */
  readonly throttled?: number
  readonly retries: number
  /** The source's estimate, when it has one. */
  readonly estimatedRows: number | undefined
  readonly elapsedMillis: number
}

/** Told of progress after every batch and at least every `intervalMillis`. Defaults to nothing. */
export const ProgressListener = Context.Reference<{
  readonly intervalMillis: number
  readonly onProgress: (snapshot: ProgressSnapshot) => void
}>("tablecast/ProgressListener", { defaultValue: () => ({ intervalMillis: 1_000, onProgress: () => {} }) })

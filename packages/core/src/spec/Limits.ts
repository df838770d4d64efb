/**
 * Segment's HTTP Tracking API limits, as safe figures.
 *
 * Segment documents "under 32 KB per message", "500 KB per request" and at most 2,500 messages per
 * batch (over that it answers 200 and drops the rest). We keep a margin under each and measure in
 * UTF-8 bytes, which is what Segment counts.
 */
export const SegmentLimits = {
  /** Largest serialized message we send, in UTF-8 bytes. */
  maxMessageBytes: 32_000,
  /** Largest request body we send, envelope included, in UTF-8 bytes. */
  maxRequestBytes: 475_000,
  /** Most messages in one `/v1/batch` request. */
  maxBatchCount: 2_500,
  /** `messageId` must be shorter than this. */
  maxMessageIdLength: 100
} as const

/**
 * Defaults taken from Segment's Python library, which users already know, except the queue and the
 * batch count: a table is not a live event stream, so batches fill toward the byte limit (Segment's
 * 2,500 messages at most; bytes bind first for typical rows). `--batch-profile small` gives 100.
 */
export const Defaults = {
  batchCount: SegmentLimits.maxBatchCount,
  batchBytes: SegmentLimits.maxRequestBytes,
  flushIntervalMillis: 500,
  // The Python library queues 10,000. The batch being built and those in flight hold messages too,
  // and a message that waits long in the queue outlives the young generation: 500 keep the sender
  // as busy as 2,000 did, for 15–25 MiB less at the peak of a large bulk run (docs/performance.md,
  // sixth round). With a reject limit the queue grows to hold the probe's rows (Sync.ts).
  queueCapacity: 500,
  // The ceiling of the adaptive concurrency limit and its floor (send/ConcurrencyLimit.ts): at
  // 150 ms a round trip, 50 req/s needs about 8 in flight (Little's law); 32 leaves room for slower
  // answers and for batches waiting out a backoff.
  maxInFlight: 32,
  minInFlight: 2,
  // Segment asks tools sending on a customer's behalf to stay at or under 50 requests per second.
  maxRps: 50,
  // The retry budget is time (Sync.ts, RetryPolicy.ts): 10 minutes rides out an endpoint down for
  // minutes (a deploy, a network cut, most of Segment's own incidents) and is still short enough for
  // a scheduled job to fail in good time. Attempts are not capped by default: with the backoff
  // capped at 30 s, about 30 attempts fit in it, each a cheap request while the endpoint is down,
  // and a recovery is noticed within 30 s.
  maxRetryMillis: 10 * 60_000,
  backoffBaseMillis: 500,
  backoffCapMillis: 30_000,
  maxRetryAfterMillis: 300_000,
  drainTimeoutMillis: 30_000,
  checkpointIntervalMillis: 1_000,
  rejectProbeRows: 1_000
} as const

import * as z from "zod"
import { BatchProfile, withBatchProfile } from "./BatchProfile.ts"
import { Defaults, SegmentLimits } from "./Limits.ts"

/**
 * How the pipeline batches, queues and retries. User-written (flags, config files, request
 * bodies), so every bound is checked against Segment's limits here.
 */
export const PipelineOptions = z
  .object({
    /** Named batch settings (BatchProfile.ts); the count, bytes and interval given below win over it. */
    batchProfile: BatchProfile.optional(),
    /** Messages per batch: flush when a batch holds this many (the profile's when not given). */
    batchCount: z.number().int().min(1).max(SegmentLimits.maxBatchCount).optional(),
    /** Request body bytes, envelope included: flush before a batch would pass this. */
    batchBytes: z
      .number()
      .int()
      .min(SegmentLimits.maxMessageBytes + 200)
      .max(SegmentLimits.maxRequestBytes)
      .optional(),
    /** Flush a non-empty batch this long after the last flush, in milliseconds. */
    flushIntervalMillis: z.number().int().min(1).max(3_600_000).optional(),
    /**
     * Messages waiting between the reader and the sender; when full, the reader waits. With a reject
     * limit, at least the messages of the first `rejectProbeRows` rows.
     */
    queueCapacity: z.number().int().min(1).max(1_000_000).default(Defaults.queueCapacity),
    /**
     * Batches posted at once, at most: the ceiling of the adaptive concurrency limit, which starts
     * at 4 and follows the endpoint's round-trip time (send/ConcurrencyLimit.ts).
     */
    maxInFlight: z.number().int().min(1).max(64).default(Defaults.maxInFlight),
    /**
     * The floor of the concurrency limit: never fewer batches allowed in flight. 2 by default (or
     * `maxInFlight`, when that is lower); equal to `maxInFlight`, concurrency is fixed.
     */
    minInFlight: z.number().int().min(1).max(64).optional(),
    /**
     * Requests per second, retries included, across every sender of the run: Segment asks tools to
     * stay at or under 50. Lowered for the rest of the run on 429s. 0: no limit of our own.
     */
    maxRps: z.number().min(0).max(10_000).default(Defaults.maxRps),
    /** Tries per batch, the first included. No cap by default: the time budget below binds. */
    maxAttempts: z.number().int().min(1).max(10_000).optional(),
    /**
     * The retry budget, in milliseconds: a batch not accepted this long after its first attempt
     * means the endpoint cannot be reached, and the run stops (everything not delivered is listed
     * in the checkpoint, so a re-run sends only that and the rest).
     */
    maxRetryMillis: z.number().int().min(0).default(Defaults.maxRetryMillis),
    /** First backoff delay; doubles each retry, with jitter. */
    backoffBaseMillis: z.number().int().min(0).default(Defaults.backoffBaseMillis),
    /** Largest backoff delay (a Retry-After is honoured up to 300 s). */
    backoffCapMillis: z.number().int().min(0).default(Defaults.backoffCapMillis),
    /** On a graceful stop, how long to wait for queued and in-flight batches before stopping at once. */
    drainTimeoutMillis: z.number().int().min(0).default(Defaults.drainTimeoutMillis),
    /** How often the checkpoint is saved while the watermark moves, in milliseconds. */
    checkpointIntervalMillis: z.number().int().min(1).default(Defaults.checkpointIntervalMillis),
    /** Stop when more rows than this are rejected. Checked before anything is sent, then as rows arrive. */
    maxRejectedRows: z.number().int().min(0).optional(),
    /** Stop when a larger share (0–1) of the rows read is rejected, judged once `rejectProbeRows` are read. */
    maxRejectedShare: z.number().min(0).max(1).optional(),
    /** With a reject limit, rows read and checked before the first batch is sent. */
    rejectProbeRows: z.number().int().min(1).default(Defaults.rejectProbeRows),
    /** Map and validate everything, send nothing. */
    dryRun: z.boolean().default(false)
  })
  .strict()
  .check((ctx) => {
    const { minInFlight, maxInFlight } = ctx.value
    if (minInFlight !== undefined && minInFlight > maxInFlight) {
      ctx.issues.push({
        code: "custom",
        input: minInFlight,
        path: ["minInFlight"],
        message: `--min-in-flight (minInFlight, ${minInFlight}) must be at most --max-in-flight (maxInFlight, ${maxInFlight})`
      })
    }
  })
  .transform(withBatchProfile)

export type PipelineOptionsInput = z.input<typeof PipelineOptions>
export type PipelineOptions = z.output<typeof PipelineOptions>

/** The floor of the concurrency limit: `minInFlight`, or 2 (at most `maxInFlight`) when not set. */
export const inFlightFloor = (options: { readonly minInFlight?: number | undefined; readonly maxInFlight: number }): number =>
  options.minInFlight ?? Math.min(Defaults.minInFlight, options.maxInFlight)

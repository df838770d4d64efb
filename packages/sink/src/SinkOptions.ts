import * as z from "zod"

/** Segment's documented limits, as Segment counts them (the sink plays Segment, not tablecast). */
export const SegmentApiLimits = {
  /** "500 KB per request". */
  maxBodyBytes: 500 * 1024,
  /** "32 KB per message". */
  maxMessageBytes: 32 * 1024,
  /** Over this many messages in one batch Segment answers 200 and drops them. */
  maxBatchCount: 2_500,
  /** `messageId` must be shorter than this. */
  maxMessageIdLength: 100
} as const

const Share = z.number().min(0).max(1)

/**
 * Faults the sink injects, each drawn per request from a seeded generator, so a run with the same
 * seed and the same request order meets the same faults. A faulted request stores nothing.
 * Can be changed while the sink runs (`setFaults`, `POST /faults`).
 */
export const SinkFaults = z
  .object({
    /** Seed of the fault draws. */
    seed: z.number().int().default(1),
    /** Share of requests answered 429 with a `Retry-After`. */
    throttleShare: Share.default(0),
    /** The `Retry-After` of those 429s, in seconds. */
    retryAfterSeconds: z.number().int().min(0).max(3_600).default(1),
    /** Share of requests answered 500, 502 or 503. */
    serverErrorShare: Share.default(0),
    /** Share of requests whose connection is reset without an answer. */
    dropShare: Share.default(0),
    /** Share of requests answered with a 200 cut off mid-body, then the connection closed. */
    halfWriteShare: Share.default(0),
    /** Delay before answering, in milliseconds. */
    delayMillis: z.number().int().min(0).max(600_000).default(0),
    /** Share of requests that wait `delayMillis` (drawn apart from the other faults). */
    slowShare: Share.default(1),
    /** When on, every request is answered 503 (an outage). */
    down: z.boolean().default(false)
  })
  .strict()

export type SinkFaultsInput = z.input<typeof SinkFaults>
export type SinkFaults = z.output<typeof SinkFaults>

/** Checks that the fault shares, drawn from one number, leave room for each other. */
const checkShares = <T extends SinkFaults>(faults: T, ctx: z.core.$RefinementCtx<T>): void => {
  const total = faults.throttleShare + faults.serverErrorShare + faults.dropShare + faults.halfWriteShare
  if (total > 1 + 1e-9) {
    ctx.addIssue({
      code: "custom",
      path: ["throttleShare"],
      message: `throttle, server error, drop and half-write shares add up to ${total}; they must add up to 1 at most`
    })
  }
}

/** Changes to the faults of a running sink: only the fields given change. */
export const SinkFaultsUpdate = SinkFaults.partial().strict()
export type SinkFaultsUpdate = z.output<typeof SinkFaultsUpdate>

/**
 * How the sink listens, what it checks and where it writes. The fault fields of `SinkFaults` sit
 * at the top level, so each option maps onto one command-line flag.
 */
export const SinkOptions = z
  .object({
    /** Address to listen on. Loopback by default: the sink is for local runs. */
    host: z.string().min(1).default("127.0.0.1"),
    /** Port to listen on; 0 picks a free one (read it from the handle's `port`). */
    port: z.number().int().min(0).max(65_535).default(0),
    /**
     * Write keys the sink accepts. When given, a request with another key (or none) gets 401.
     * When left out, any non-empty key is accepted, but a request without one still gets 401.
     */
    writeKeys: z.array(z.string().min(1)).min(1).optional(),
    /** JSONL file to append accepted messages to, one per line, each with its `receivedAt`. */
    out: z.string().min(1).optional(),
    /** Largest request body (after gunzip), in bytes; larger gets 413. */
    maxBodyBytes: z.number().int().min(1).default(SegmentApiLimits.maxBodyBytes),
    /** Largest message, serialized, in bytes; larger gets 400. */
    maxMessageBytes: z.number().int().min(1).default(SegmentApiLimits.maxMessageBytes),
    /** Most messages per batch; a larger batch is answered 200 and counted as dropped. */
    maxBatchCount: z.number().int().min(1).default(SegmentApiLimits.maxBatchCount),
    /**
     * Keep every messageId to count duplicates. Costs about 100 bytes per distinct id (5 million
     * ids ≈ 0.5 GB); turn off for very long runs where only counts matter.
     */
    trackMessageIds: z.boolean().default(true),
    /**
     * The last this many accepted messages are kept in memory and served at `GET /messages`, for a
     * test that checks what arrived without reading a file (a worker in workerd cannot). 0: none.
     */
    keepMessages: z.number().int().min(0).max(100_000).default(0),
    ...SinkFaults.shape
  })
  .strict()
  .superRefine(checkShares)

export type SinkOptionsInput = z.input<typeof SinkOptions>
export type SinkOptions = z.output<typeof SinkOptions>

/** The faults part of checked options. */
export const faultsOf = (options: SinkFaults): SinkFaults => ({
  seed: options.seed,
  throttleShare: options.throttleShare,
  retryAfterSeconds: options.retryAfterSeconds,
  serverErrorShare: options.serverErrorShare,
  dropShare: options.dropShare,
  halfWriteShare: options.halfWriteShare,
  delayMillis: options.delayMillis,
  slowShare: options.slowShare,
  down: options.down
})

/** Applies an update to faults, checking the shares still fit. */
export const updateFaults = (current: SinkFaults, update: SinkFaultsUpdate): SinkFaults => {
  return SinkFaults.superRefine(checkShares).parse({ ...current, ...update })
}

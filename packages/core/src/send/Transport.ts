import * as Context from "effect/Context"
import * as Schema from "effect/Schema"
import type * as Effect from "effect/Effect"

/** A batch ready to post: messages already serialized and measured, in stream order. */
export interface OutgoingBatch {
  /** Serialized messages (JSON objects), in order. */
  readonly messages: ReadonlyArray<string>
  /** UTF-8 bytes of the messages joined with commas, without the envelope. */
  readonly messageBytes: number
  /** 1 for the first try, 2 for the first retry, ... */
  readonly attempt: number
}

/** What the endpoint answered to a batch it took. */
export interface BatchAccepted {
  readonly status: number
  /** Bytes of the request body actually sent (after gzip when on). */
  readonly bodyBytes: number
}

/**
 * Why a batch was not taken, classified so the flusher knows what to do next:
 * - `auth` (401/403): the write key is wrong or revoked; the run stops at once.
 * - `rejected` (400, 404, 413, 422, 501, 505, other 4xx): Segment refuses the batch as a whole;
 *   its rows are reported, the run goes on.
 * - `throttled` (429), `server` (408, 5xx), `network`, `timeout`: retried with backoff.
 */
export type TransportErrorKind = "auth" | "rejected" | "throttled" | "server" | "network" | "timeout"

export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  kind: Schema.Literals(["auth", "rejected", "throttled", "server", "network", "timeout"]),
  retryable: Schema.Boolean,
  /** HTTP status, when the endpoint answered. */
  status: Schema.optional(Schema.Number),
  /** Retry-After from the endpoint, in milliseconds, already capped. */
  retryAfterMillis: Schema.optional(Schema.Number),
  /**
   * Short, secret-free explanation in the transport's own words (the endpoint's message, trimmed;
   * the socket's error), or "" when there is none. It does not repeat the status or the kind: the
   * pipeline names those once when it reports the error.
   */
  message: Schema.String
}) {}

/** Posts one batch to a Segment-compatible `/v1/batch` endpoint. One attempt, no retries. */
export interface TransportShape {
  /** Where batches go, for reports (host and path, never the write key). */
  readonly endpoint: string
  /**
   * UTF-8 bytes the envelope adds around the messages, so the batcher can keep whole requests
   * under the request limit.
   */
  readonly envelopeBytes: number
  readonly send: (batch: OutgoingBatch) => Effect.Effect<BatchAccepted, TransportError>
}

export class Transport extends Context.Service<Transport, TransportShape>()("tablecast/Transport") {}

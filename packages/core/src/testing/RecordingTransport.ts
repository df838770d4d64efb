import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { utf8ByteLength } from "../map/Utf8.ts"
import { type BatchAccepted, type OutgoingBatch, Transport, TransportError } from "../send/Transport.ts"

/** One request as the transport saw it. */
export interface RecordedRequest {
  readonly at: number
  readonly attempt: number
  readonly messageIds: ReadonlyArray<string>
  readonly rowNumbers: ReadonlyArray<number>
  /** The request body's UTF-8 bytes, envelope included, measured here from the messages. */
  readonly bodyBytes: number
}

export type Answer = "ok" | TransportError | Effect.Effect<BatchAccepted, TransportError>

export interface RecordingTransport {
  readonly layer: Layer.Layer<Transport>
  readonly requests: Array<RecordedRequest>
  /** messageIds of batches answered ok, in the order answered. */
  readonly accepted: Array<string>
}

export const httpError = (status: number, retryAfterMillis?: number): TransportError => {
  const kind =
    status === 401 || status === 403
      ? "auth"
      : status === 429
        ? "throttled"
        : status >= 500 && status !== 501 && status !== 505
          ? "server"
          : status === 408
            ? "server"
            : "rejected"
  return new TransportError({
    kind,
    retryable: kind === "throttled" || kind === "server",
    status,
    message: "",
    ...(retryAfterMillis === undefined ? {} : { retryAfterMillis })
  })
}

const ENVELOPE = '{"batch":[],"sentAt":"2026-01-01T00:00:00.000Z"}'

/**
 * A Transport for tests of the pipeline: it records every request and answers as `answer` says.
 * Real HTTP is tested in @tablecast/segment and end to end; this one isolates the core's logic.
 */
export const recordingTransport = (answer: (request: RecordedRequest, index: number) => Answer = () => "ok"): RecordingTransport => {
  const requests: Array<RecordedRequest> = []
  const accepted: Array<string> = []
  const send = (batch: OutgoingBatch) =>
    Effect.gen(function* () {
      const parsed = batch.messages.map((json) => JSON.parse(json) as { messageId: string; properties?: { row?: number } })
      const request: RecordedRequest = {
        at: yield* Clock.currentTimeMillis,
        attempt: batch.attempt,
        messageIds: parsed.map((message) => message.messageId),
        rowNumbers: parsed.map((message) => Number(message.properties?.row ?? -1)),
        bodyBytes: ENVELOPE.length + utf8ByteLength(batch.messages.join(","))
      }
      const index = requests.length
      requests.push(request)
      const result = answer(request, index)
      const outcome: Effect.Effect<BatchAccepted, TransportError> =
        result === "ok"
          ? Effect.succeed({ status: 200, bodyBytes: batch.messageBytes })
          : result instanceof TransportError
            ? Effect.fail(result)
            : result
      const answered = yield* outcome
      accepted.push(...request.messageIds)
      return answered
    })
  return {
    requests,
    accepted,
    layer: Layer.succeed(Transport, { endpoint: "memory://segment", envelopeBytes: ENVELOPE.length, send })
  }
}

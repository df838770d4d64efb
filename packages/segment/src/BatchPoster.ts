import { type BatchAccepted, type OutgoingBatch, TransportError, type TransportShape } from "@tablecast/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { batchBody, envelopeBytes } from "./BatchBody.ts"
import { classifyFailure } from "./FailureClassification.ts"
import { errorForAnswer } from "./ResponseClassification.ts"
import { resolveEndpoint } from "./SegmentEndpoint.ts"
import type { SegmentTransportOptions } from "./SegmentTransportOptions.ts"
import { userAgent } from "./Version.ts"
import { basicAuthorization, scrubWriteKey } from "./WriteKey.ts"

/** One POST, as the HTTP client of a runtime (node:http, fetch) performs it. */
export interface HttpPost {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
  /** Aborts on interruption and on the attempt's deadline. */
  readonly signal: AbortSignal
}

/** The endpoint's whole answer: the body is read to the end (or the post fails). */
export interface HttpAnswer {
  readonly status: number
  readonly retryAfter: string | null | undefined
  readonly body: string
}

/** Posts to the batch endpoint; rejects when no complete answer arrives. */
export type HttpClient = (post: HttpPost) => Promise<HttpAnswer>

/** Gzips a request body. */
export type Gzip = (text: string) => Promise<Uint8Array>

/** Writes a batch body as UTF-8 bytes (a runtime's faster way than the text), sentAt included. */
export type EncodeBody = (messages: ReadonlyArray<string>, messageBytes: number, sentAtMillis: number) => Uint8Array

/**
 * A Segment Transport over any HTTP client: what the Node and the fetch transports share. Each
 * attempt builds its body afresh with `sentAt` from the Clock, so a retry carries the time it was
 * sent, and ends with the endpoint's answer classified or the failure classified.
 */
export const makeBatchPoster = (options: SegmentTransportOptions, client: HttpClient, gzip: Gzip, encode?: EncodeBody): TransportShape => {
  const endpoint = resolveEndpoint(options)
  const headers: Record<string, string> = {
    "content-type": "application/json",
    authorization: basicAuthorization(options.writeKey),
    "user-agent": userAgent
  }
  if (options.gzip) headers["content-encoding"] = "gzip"
  const scrub = (error: TransportError): TransportError => {
    const message = scrubWriteKey(error.message, options.writeKey)
    if (message === error.message) return error
    return new TransportError({
      kind: error.kind,
      retryable: error.retryable,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.retryAfterMillis === undefined ? {} : { retryAfterMillis: error.retryAfterMillis }),
      message
    })
  }

  // A plain function, not Effect.fn: a traced function opens a span and captures its caller's
  // stack on every call, and this one runs once per request.
  const send = (batch: OutgoingBatch) =>
    Effect.gen(function* () {
      const sentAt = yield* Clock.currentTimeMillis
      let body: string | Uint8Array | undefined = options.gzip
        ? yield* Effect.promise(() => gzip(batchBody(batch.messages, sentAt)))
        : (encode?.(batch.messages, batch.messageBytes, sentAt) ?? batchBody(batch.messages, sentAt))
      // Known without scanning the body: the messages were measured when built, and the envelope
      // is ASCII of a fixed length.
      const bodyBytes = typeof body === "string" ? envelopeBytes + batch.messageBytes : body.byteLength
      // Memory: the body goes to the client and is not kept here while the answer is awaited (the
      // batch keeps its messages, from which a retry builds it again): up to 475,000 bytes per
      // request in flight.
      const handOver = (): string | Uint8Array => {
        const handed = body!
        body = undefined
        return handed
      }
      let timedOut = false
      const answer = yield* Effect.tryPromise({
        try: async (interrupted) => {
          // One signal for both ends of an attempt: its deadline and the fiber's interruption. The
          // timer is cleared as soon as the attempt settles, so none outlive their request.
          const controller = new AbortController()
          const timer = setTimeout(() => {
            timedOut = true
            controller.abort(new DOMException(`no answer within ${options.timeoutMillis} ms`, "TimeoutError"))
          }, options.timeoutMillis)
          const onInterrupt = () => controller.abort(interrupted.reason)
          interrupted.addEventListener("abort", onInterrupt, { once: true })
          try {
            return await client({ headers, body: handOver(), signal: controller.signal })
          } finally {
            clearTimeout(timer)
            interrupted.removeEventListener("abort", onInterrupt)
          }
        },
        catch: (error) => scrub(classifyFailure(error, { timedOut, timeoutMillis: options.timeoutMillis }))
      })
      const answeredAt = yield* Clock.currentTimeMillis
      const refusal = errorForAnswer(answer, answeredAt)
      if (refusal !== undefined) return yield* Effect.fail(scrub(refusal))
      const accepted: BatchAccepted = {
        status: answer.status,
        bodyBytes
      }
      return accepted
    })

  return { endpoint: endpoint.url, envelopeBytes, send }
}

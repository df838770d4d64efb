import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { type BatchAccepted, TransportError } from "../send/Transport.ts"
import { type Answer, httpError, type RecordedRequest } from "./RecordingTransport.ts"

export interface SimulatedEndpointOptions {
  /** How long each answer takes, in milliseconds: fixed, or by request index. */
  readonly latencyMillis: number | ((index: number) => number)
  /** A token bucket: requests above it are answered 429 with this Retry-After. */
  readonly bucket?: { readonly rate: number; readonly burst: number; readonly retryAfterMillis: number }
  /** Faults at random, as shares of requests (429 with Retry-After, 5xx, connection resets). */
  readonly faults?: { readonly throttled?: number; readonly server?: number; readonly reset?: number; readonly retryAfterMillis?: number }
  /** Seed of the endpoint's own random numbers (not the pipeline's). */
  readonly seed?: number
}

export interface SimulatedEndpoint {
  readonly answer: (request: RecordedRequest, index: number) => Answer
  /** Requests answered 429 by the bucket or at random. */
  readonly throttled: () => number
  /** The most requests the endpoint held at once. */
  readonly peakConcurrent: () => number
}

/**
 * A Segment-like endpoint for the recording transport, on the test clock: it takes a request,
 * judges it on arrival (its token bucket, its random faults), and answers after the latency.
 */
export const simulatedEndpoint = (options: SimulatedEndpointOptions): SimulatedEndpoint => {
  let seed = options.seed ?? 7
  // A small linear congruential generator: the endpoint's faults repeat from run to run.
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648
  }
  let tokens = options.bucket?.burst ?? 0
  let refilledAt = 0
  let throttled = 0
  let concurrent = 0
  let peakConcurrent = 0
  const judge = (now: number): TransportError | undefined => {
    const bucket = options.bucket
    if (bucket !== undefined) {
      tokens = Math.min(bucket.burst, tokens + ((now - refilledAt) * bucket.rate) / 1_000)
      refilledAt = now
      if (tokens < 1) {
        throttled++
        return httpError(429, bucket.retryAfterMillis)
      }
      tokens -= 1
    }
    const faults = options.faults
    if (faults !== undefined) {
      const draw = random()
      const throttleShare = faults.throttled ?? 0
      const serverShare = faults.server ?? 0
      if (draw < throttleShare) {
        throttled++
        return httpError(429, faults.retryAfterMillis ?? 1_000)
      }
      if (draw < throttleShare + serverShare) return httpError(503)
      if (draw < throttleShare + serverShare + (faults.reset ?? 0)) {
        return new TransportError({ kind: "network", retryable: true, message: "socket hang up" })
      }
    }
    return undefined
  }
  const answer = (request: RecordedRequest, index: number): Answer =>
    Effect.gen(function* () {
      const refused = judge(yield* Clock.currentTimeMillis)
      concurrent++
      peakConcurrent = Math.max(peakConcurrent, concurrent)
      const latency = typeof options.latencyMillis === "number" ? options.latencyMillis : options.latencyMillis(index)
      yield* Effect.sleep(latency).pipe(Effect.ensuring(Effect.sync(() => concurrent--)))
      if (refused !== undefined) return yield* Effect.fail(refused)
      return { status: 200, bodyBytes: request.bodyBytes } satisfies BatchAccepted
    })
  return { answer, throttled: () => throttled, peakConcurrent: () => peakConcurrent }
}

import { describe, expect, it } from "@effect/vitest"
import { type OutgoingBatch, type TransportError, type TransportShape, utf8ByteLength } from "@tablecast/core"
import { startSink } from "@tablecast/sink"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { TestClock } from "effect/testing"
import { envelopeBytes } from "../BatchBody.ts"
import type { SegmentTransportOptionsError, SegmentTransportOptionsInput } from "../SegmentTransportOptions.ts"
import { userAgent } from "../Version.ts"
import { answer, startTestEndpoint } from "./TestEndpoint.ts"

export type MakeTransport = (input: SegmentTransportOptionsInput) => Effect.Effect<TransportShape, SegmentTransportOptionsError, Scope.Scope>

/** A write key that must never show up anywhere but the Authorization header. */
export const secretKey = "wk_SECRET_q8Zr2vLx7Mn4Pb1T"
export const writeKey = Redacted.make(secretKey)
const basicCredentials = Buffer.from(`${secretKey}:`).toString("base64")

const messages = [
  JSON.stringify({ type: "track", userId: "162514333", event: "Sales Prediction", messageId: "m-1", properties: { iphone: 0.734 } }),
  JSON.stringify({ type: "identify", userId: "7", messageId: "m-2", traits: { name: "Zoë 🚀", city: "Zürich" } })
]
const batch = (attempt = 1): OutgoingBatch => ({ messages, messageBytes: utf8ByteLength(messages.join(",")), attempt })

const testEndpoint = Effect.acquireRelease(
  Effect.promise(() => startTestEndpoint()),
  (endpoint) => Effect.promise(() => endpoint.close())
)
const sink = (options: Parameters<typeof startSink>[0]) =>
  Effect.acquireRelease(
    Effect.promise(() => startSink(options)),
    (running) => Effect.promise(() => running.close())
  )

/** Asserts that nothing printable about an error carries the write key or its Basic credentials. */
export const expectNoSecret = (value: unknown): void => {
  const texts = [String(value), JSON.stringify(value), (value as { message?: unknown }).message]
  for (const text of texts) {
    expect(String(text)).not.toContain(secretKey)
    expect(String(text)).not.toContain(basicCredentials)
  }
}

/**
 * The behaviour both transports (node:http, fetch) promise, run against real HTTP servers on
 * loopback: a recording endpoint and the tablecast sink.
 */
export const transportContract = (
  name: string,
  make: MakeTransport,
  traits: { readonly poolsConnections: boolean; readonly viaProxy?: boolean }
): void => {
  describe(`${name}: the request`, () => {
    it.effect("posts the messages in a batch envelope, with Basic auth, JSON and the User-Agent", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        const accepted = yield* transport.send(batch())
        const [request] = endpoint.requests
        expect(request?.method).toBe("POST")
        expect(request?.url).toBe("/v1/batch")
        expect(request?.headers["authorization"]).toBe(`Basic ${basicCredentials}`)
        expect(request?.headers["content-type"]).toBe("application/json")
        expect(request?.headers["user-agent"]).toBe(userAgent)
        expect(request?.headers["content-encoding"]).toBeUndefined()
        // The body is the serialized messages as given, not re-serialized, and sentAt is the Clock's.
        expect(request?.text).toBe(`{"batch":[${messages.join(",")}],"sentAt":"1970-01-01T00:00:00.000Z"}`)
        expect(JSON.parse(request?.text ?? "")).toEqual({
          batch: messages.map((message) => JSON.parse(message) as unknown),
          sentAt: "1970-01-01T00:00:00.000Z"
        })
        // Exactly the bytes the batcher budgeted: messages plus envelope.
        expect(request?.raw.length).toBe(batch().messageBytes + envelopeBytes)
        expect(accepted).toEqual({ status: 200, bodyBytes: batch().messageBytes + envelopeBytes })
        expect(transport.endpoint).toBe(`${endpoint.url}/v1/batch`)
        expect(transport.envelopeBytes).toBe(envelopeBytes)
      })
    )

    it.effect("takes sentAt afresh from the Clock on every attempt", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        yield* TestClock.setTime(Date.UTC(2025, 0, 2, 3, 4, 5, 678))
        yield* transport.send(batch(1))
        yield* TestClock.adjust("90 seconds")
        yield* transport.send(batch(2))
        const sentAts = endpoint.requests.map((request) => (JSON.parse(request.text) as { sentAt: string }).sentAt)
        expect(sentAts).toEqual(["2025-01-02T03:04:05.678Z", "2025-01-02T03:05:35.678Z"])
      })
    )

    it.effect("gzips the body when asked, and reports the compressed size", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url, gzip: true })
        const accepted = yield* transport.send(batch())
        const [request] = endpoint.requests
        expect(request?.headers["content-encoding"]).toBe("gzip")
        expect(request?.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
        expect(request?.text).toBe(`{"batch":[${messages.join(",")}],"sentAt":"1970-01-01T00:00:00.000Z"}`)
        expect(accepted.bodyBytes).toBe(request?.raw.length)
      })
    )
  })

  describe(`${name}: answers and failures`, () => {
    const cases: Array<[number, TransportError["kind"] | "accepted", boolean]> = [
      [200, "accepted", false],
      [204, "accepted", false],
      [302, "rejected", false],
      [400, "rejected", false],
      [401, "auth", false],
      [403, "auth", false],
      [404, "rejected", false],
      [408, "server", true],
      [413, "rejected", false],
      [422, "rejected", false],
      [429, "throttled", true],
      [500, "server", true],
      [501, "rejected", false],
      [502, "server", true],
      [503, "server", true],
      [504, "server", true],
      [505, "rejected", false]
    ]

    it.effect("classifies every status class", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        for (const [status, kind, retryable] of cases) {
          endpoint.handler = answer(status, status === 204 ? "" : '{"success":false,"message":"nope"}', {
            location: "http://127.0.0.1:1/elsewhere"
          })
          const result = yield* Effect.result(transport.send(batch()))
          if (kind === "accepted") {
            expect(result._tag, `status ${status}`).toBe("Success")
            continue
          }
          expect(result._tag, `status ${status}`).toBe("Failure")
          if (result._tag === "Failure") {
            expect([status, result.failure.kind, result.failure.retryable]).toEqual([status, kind, retryable])
            expect(result.failure.status).toBe(status)
          }
        }
        // The redirect was reported, not followed: every request went to the endpoint itself.
        expect(endpoint.requests).toHaveLength(cases.length)
      })
    )

    it.effect("reads Retry-After as seconds or as an HTTP date, capped at 300 s", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        const now = Date.UTC(2025, 5, 1, 12, 0, 0)
        yield* TestClock.setTime(now)
        const retryAfter = (status: number, value: string) =>
          Effect.gen(function* () {
            endpoint.handler = answer(status, '{"success":false}', { "retry-after": value })
            const error = yield* Effect.flip(transport.send(batch()))
            return [error.kind, error.retryAfterMillis]
          })
        expect(yield* retryAfter(429, "3")).toEqual(["throttled", 3_000])
        expect(yield* retryAfter(429, new Date(now + 120_000).toUTCString())).toEqual(["throttled", 120_000])
        expect(yield* retryAfter(503, "86400")).toEqual(["server", 300_000])
        expect(yield* retryAfter(429, "soon")).toEqual(["throttled", undefined])
        // Not retried, so no wait to report.
        expect(yield* retryAfter(400, "3")).toEqual(["rejected", undefined])
      })
    )

    it.effect("trims the endpoint's error body into the message", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        endpoint.handler = answer(400, JSON.stringify({ success: false, message: `bad\n\n  request ${"x".repeat(500)}` }))
        const error = yield* Effect.flip(transport.send(batch()))
        expect(error.message).toMatch(/^bad request x+…$/)
        expect(error.message.length).toBeLessThan(300)
      })
    )

    it.effect("never lets the write key into an error, even when the endpoint echoes it", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        endpoint.handler = (request, response) => {
          const echoed = `${request.headers["authorization"] ?? ""} is ${secretKey}`
          response.writeHead(401, { "content-type": "application/json" })
          response.end(JSON.stringify({ success: false, message: echoed }))
        }
        const error = yield* Effect.flip(transport.send(batch()))
        expect(error.kind).toBe("auth")
        expect(error.retryable).toBe(false)
        expect(error.status).toBe(401)
        expect(error.message).toContain("[redacted]")
        expectNoSecret(error)
        expectNoSecret(transport.endpoint)
      })
    )

    it.effect("gives up after timeoutMillis with a retryable timeout", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url, timeoutMillis: 150 })
        endpoint.handler = () => undefined // never answers
        const error = yield* Effect.flip(transport.send(batch()))
        expect([error.kind, error.retryable]).toEqual(["timeout", true])
        expect(error.message).toBe("no complete answer within 150 ms")
      })
    )

    it.live("aborts the request when the send is interrupted", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        endpoint.handler = () => undefined // never answers
        const outcome = yield* transport.send(batch()).pipe(Effect.timeoutOption("100 millis"))
        expect(outcome._tag).toBe("None")
        // The abort reached the socket: the connection closes now, not at the 10 s timeout.
        const closed = yield* Effect.promise(() => endpoint.whenNoConnections()).pipe(Effect.timeoutOption("2 seconds"))
        expect(closed._tag).toBe("Some")
      })
    )

    it.effect("reports a reset connection, a cut-off answer and a refused connection as retryable network errors", () =>
      Effect.gen(function* () {
        const endpoint = yield* testEndpoint
        const transport = yield* make({ writeKey, endpoint: endpoint.url })
        endpoint.handler = (_request, _response, socket) => socket.resetAndDestroy()
        const reset = yield* Effect.flip(transport.send(batch()))
        expect([reset.kind, reset.retryable]).toEqual(["network", true])
        endpoint.handler = (_request, _response, socket) =>
          socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"succ')
        const cut = yield* Effect.flip(transport.send(batch()))
        expect([cut.kind, cut.retryable]).toEqual(["network", true])
        endpoint.handler = (_request, _response, socket) => socket.destroy() // "socket hang up"
        const hangUp = yield* Effect.flip(transport.send(batch()))
        expect([hangUp.kind, hangUp.retryable]).toEqual(["network", true])

        const closed = yield* Effect.promise(() => startTestEndpoint())
        yield* Effect.promise(() => closed.close())
        const nowhere = yield* make({ writeKey, endpoint: closed.url })
        const refused = yield* Effect.flip(nowhere.send(batch()))
        expect([refused.kind, refused.retryable]).toEqual(["network", true])
        // The socket's words alone: the pipeline says "network error" once.
        // Through a proxy, the proxy's word for it: a 502 to the tunnel.
        expect(refused.message).toMatch(traits.viaProxy === true ? /refused the request to 127\.0\.0\.1:\d+ with HTTP 502/ : /ECONNREFUSED/)
        expect(refused.message).not.toMatch(/network error/)
        for (const error of [reset, cut, hangUp, refused]) expectNoSecret(error)
      })
    )

    it.effect("refuses invalid options without quoting the key", () =>
      Effect.gen(function* () {
        const plain = yield* Effect.flip(make({ writeKey: secretKey as unknown as Redacted.Redacted<string> }))
        expect(plain._tag).toBe("SegmentTransportOptionsError")
        expect(plain.message).toMatch(/^writeKey: the write key must be wrapped in Redacted/)
        expectNoSecret(plain)
        const both = yield* Effect.flip(make({ writeKey, region: "eu", endpoint: "http://127.0.0.1:1" }))
        expect(both.message).toBe("endpoint: give a region or an endpoint, not both")
        const withCredentials = yield* Effect.flip(make({ writeKey, endpoint: `https://${secretKey}:x@collector.example/` }))
        expect(withCredentials.message).toMatch(/must not hold credentials/)
        expectNoSecret(withCredentials)
      })
    )
  })

  if (traits.poolsConnections) {
    describe(`${name}: connections`, () => {
      it.effect("reuses at most `connections` keep-alive connections", () =>
        Effect.gen(function* () {
          const endpoint = yield* testEndpoint
          const transport = yield* make({ writeKey, endpoint: endpoint.url, connections: 2 })
          yield* Effect.all(
            Array.from({ length: 12 }, () => transport.send(batch())),
            { concurrency: "unbounded" }
          )
          expect(endpoint.requests).toHaveLength(12)
          expect(endpoint.connections()).toBeLessThanOrEqual(2)
        })
      )
    })
  }

  describe(`${name}: against the tablecast sink`, () => {
    it.effect("delivers to the sink, plain and gzipped, and is refused with another key", () =>
      Effect.gen(function* () {
        const running = yield* sink({ writeKeys: [secretKey] })
        const plain = yield* make({ writeKey, endpoint: running.url })
        const zipped = yield* make({ writeKey, endpoint: running.url, gzip: true })
        yield* plain.send(batch())
        yield* zipped.send(batch())
        expect(running.stats()).toMatchObject({
          batchesAccepted: 2,
          messagesAccepted: 4,
          uniqueMessageIds: 2,
          duplicateMessageIds: 2
        })
        const stranger = yield* make({ writeKey: Redacted.make("wk_other"), endpoint: running.url })
        const refused = yield* Effect.flip(stranger.send(batch()))
        expect([refused.kind, refused.status, refused.retryable]).toEqual(["auth", 401, false])
      })
    )

    it.effect("meets the sink's faults as retryable errors", () =>
      Effect.gen(function* () {
        const running = yield* sink({ throttleShare: 1, retryAfterSeconds: 2 })
        const transport = yield* make({ writeKey, endpoint: running.url })
        const throttled = yield* Effect.flip(transport.send(batch()))
        expect([throttled.kind, throttled.retryable, throttled.retryAfterMillis]).toEqual(["throttled", true, 2_000])
        running.setFaults({ throttleShare: 0, dropShare: 1 })
        const dropped = yield* Effect.flip(transport.send(batch()))
        expect([dropped.kind, dropped.retryable]).toEqual(["network", true])
        running.setFaults({ dropShare: 0, halfWriteShare: 1 })
        const halfWritten = yield* Effect.flip(transport.send(batch()))
        expect([halfWritten.kind, halfWritten.retryable]).toEqual(["network", true])
        running.setFaults({ halfWriteShare: 0, down: true })
        const down = yield* Effect.flip(transport.send(batch()))
        expect([down.kind, down.status, down.retryable]).toEqual(["server", 503, true])
        running.setFaults({ down: false })
        yield* transport.send(batch())
        expect(running.stats()).toMatchObject({ messagesAccepted: 2, uniqueMessageIds: 2 })
      })
    )
  })
}

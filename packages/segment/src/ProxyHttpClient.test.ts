import { describe, expect, it } from "@effect/vitest"
import { type OutgoingBatch, utf8ByteLength } from "@tablecast/core"
import * as Effect from "effect/Effect"
import { createServer as createTlsServer } from "node:https"
import type { AddressInfo } from "node:net"
import * as SegmentTransport from "./SegmentTransport.ts"
import { startLoopbackProxy } from "./test/LoopbackProxy.ts"
import { selfSigned } from "./test/SelfSigned.ts"
import { startTestEndpoint } from "./test/TestEndpoint.ts"
import { expectNoSecret, transportContract, writeKey } from "./test/transportContract.ts"

const messages = [JSON.stringify({ type: "track", userId: "162514333", event: "Sales Prediction", messageId: "m-1" })]
const batch: OutgoingBatch = { messages, messageBytes: utf8ByteLength(messages.join(",")), attempt: 1 }

const acquire = <A extends { close: () => Promise<void> }>(start: () => Promise<A>) =>
  Effect.acquireRelease(Effect.promise(start), (started) => Effect.promise(() => started.close()))

// Every promise of the Node transport holds through a proxy too (one started per transport made).
transportContract(
  "SegmentTransport through HTTP_PROXY",
  (input) =>
    Effect.gen(function* () {
      const proxy = yield* acquire(() => startLoopbackProxy())
      return yield* SegmentTransport.make(input, { HTTP_PROXY: proxy.url })
    }),
  { poolsConnections: true, viaProxy: true }
)

describe("SegmentTransport behind a proxy", () => {
  it.live("sends each batch through the proxy HTTP_PROXY names, with the credentials of its URL as Proxy-Authorization", () =>
    Effect.gen(function* () {
      const endpoint = yield* acquire(startTestEndpoint)
      const proxy = yield* acquire(() => startLoopbackProxy({ credentials: "svc-user:s3cret-pw" }))
      const transport = yield* SegmentTransport.make(
        { writeKey, endpoint: endpoint.url },
        { HTTP_PROXY: `http://svc-user:s3cret-pw@127.0.0.1:${proxy.port}`, NO_PROXY: "internal.corp" }
      )
      yield* transport.send(batch)
      yield* transport.send({ ...batch, attempt: 2 })
      expect(endpoint.requests.map((request) => request.url)).toEqual(["/v1/batch", "/v1/batch"])
      // Tunnels to the endpoint's host and port (an http endpoint too: see ProxyHttpClient.ts).
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1)
      expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(endpoint.url).host]))
      expect(proxy.forwarded).toEqual([])
      expect(new Set(proxy.authorizations)).toEqual(new Set([`Basic ${Buffer.from("svc-user:s3cret-pw").toString("base64")}`]))
      // The proxy's credentials go to the proxy only, never to the endpoint.
      expect(endpoint.requests.every((request) => request.headers["proxy-authorization"] === undefined)).toBe(true)
    })
  )

  it.live("goes direct to a host NO_PROXY names (here loopback, which is not exempt unless named)", () =>
    Effect.gen(function* () {
      const endpoint = yield* acquire(startTestEndpoint)
      const proxy = yield* acquire(() => startLoopbackProxy())
      const direct = yield* SegmentTransport.make(
        { writeKey, endpoint: endpoint.url },
        { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1,::1" }
      )
      yield* direct.send(batch)
      expect(endpoint.requests).toHaveLength(1)
      expect([...proxy.tunnels, ...proxy.forwarded]).toEqual([])
      // An HTTPS_PROXY does not apply to an http:// endpoint.
      const plain = yield* SegmentTransport.make({ writeKey, endpoint: endpoint.url }, { HTTPS_PROXY: proxy.url })
      yield* plain.send(batch)
      expect(endpoint.requests).toHaveLength(2)
      expect([...proxy.tunnels, ...proxy.forwarded]).toEqual([])
    })
  )

  it.live("a proxy that refuses the credentials: a retryable network error naming the proxy and the 407, never the credentials", () =>
    Effect.gen(function* () {
      const endpoint = yield* acquire(startTestEndpoint)
      const proxy = yield* acquire(() => startLoopbackProxy({ credentials: "svc-user:right-password" }))
      const transport = yield* SegmentTransport.make(
        { writeKey, endpoint: endpoint.url },
        { http_proxy: `http://svc-user:wrong-password@127.0.0.1:${proxy.port}` }
      )
      const failure = yield* Effect.flip(transport.send(batch))
      expect(failure).toMatchObject({ kind: "network", retryable: true })
      expect(failure.message).toContain(`the proxy http://127.0.0.1:${proxy.port} refused the request`)
      expect(failure.message).toContain("407")
      for (const text of [failure.message, JSON.stringify(failure), String(failure)]) {
        expect(text).not.toContain("wrong-password")
        expect(text).not.toContain("svc-user")
      }
      expectNoSecret(failure)
      expect(endpoint.requests).toEqual([])
    })
  )

  it.live("a proxy that is down: a retryable network error naming the proxy", () =>
    Effect.gen(function* () {
      const endpoint = yield* acquire(startTestEndpoint)
      const proxy = yield* Effect.promise(() => startLoopbackProxy())
      yield* Effect.promise(() => proxy.close())
      const transport = yield* SegmentTransport.make(
        { writeKey, endpoint: endpoint.url },
        { HTTP_PROXY: `http://ops:pa55word@127.0.0.1:${proxy.port}` }
      )
      const failure = yield* Effect.flip(transport.send(batch))
      expect(failure).toMatchObject({ kind: "network", retryable: true })
      expect(failure.message).toMatch(
        new RegExp(
          `ECONNREFUSED through the proxy http://127\\.0\\.0\\.1:${proxy.port}|through the proxy http://127\\.0\\.0\\.1:${proxy.port}: .*ECONNREFUSED`
        )
      )
      expect(failure.message).not.toContain("pa55word")
      expect(endpoint.requests).toEqual([])
    })
  )

  it.live("tunnels an https endpoint through HTTPS_PROXY and still checks the endpoint's certificate (not retried)", () =>
    Effect.gen(function* () {
      const tls = createTlsServer(selfSigned, (_request, response) => response.end("never"))
      const port = yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<number>((resolve) => tls.listen(0, "127.0.0.1", () => resolve((tls.address() as AddressInfo).port)))),
        () => Effect.promise(() => new Promise<void>((resolve) => tls.close(() => resolve())))
      )
      const proxy = yield* acquire(() => startLoopbackProxy())
      const transport = yield* SegmentTransport.make({ writeKey, endpoint: `https://127.0.0.1:${port}` }, { HTTPS_PROXY: proxy.url })
      const failure = yield* Effect.flip(transport.send(batch))
      expect(proxy.tunnels).toEqual([`127.0.0.1:${port}`])
      expect(failure).toMatchObject({ kind: "network", retryable: false })
      expect(failure.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT|self[- ]signed/)
    })
  )

  it.effect("refuses a proxy variable it cannot use, naming the variable and not its value", () =>
    Effect.gen(function* () {
      const failure = yield* Effect.flip(SegmentTransport.make({ writeKey }, { HTTPS_PROXY: "http://u:hunter22@[bad" }))
      expect(failure._tag).toBe("SegmentTransportOptionsError")
      expect(failure.message).toMatch(/^HTTPS_PROXY is not a URL/)
      expect(failure.message).not.toContain("hunter22")
    }).pipe(Effect.scoped)
  )
})

import { Transport, type TransportShape } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { promisify } from "node:util"
import { gzip } from "node:zlib"
import { batchBodyBuffer } from "./BatchBodyBuffer.ts"
import { makeBatchPoster } from "./BatchPoster.ts"
import { type NodeHttpClient, nodeHttpClient } from "./NodeHttpClient.ts"
import { type ProxyEnvironment, proxyFor } from "./ProxySettings.ts"
import { resolveEndpoint } from "./SegmentEndpoint.ts"
import { parseOptions, SegmentTransportOptionsError, type SegmentTransportOptionsInput } from "./SegmentTransportOptions.ts"

const gzipAsync = promisify(gzip)

/**
 * The Node transport: Node's HTTP client with a keep-alive agent of `connections` sockets to the
 * endpoint, closed with the scope; through a proxy when HTTPS_PROXY / HTTP_PROXY applies to the
 * endpoint (NO_PROXY read as in ProxySettings.ts), with undici, loaded only then. Fails at once
 * when the options or the proxy variable are invalid.
 */
export const make = (
  input: SegmentTransportOptionsInput,
  environment: ProxyEnvironment = process.env
): Effect.Effect<TransportShape, SegmentTransportOptionsError, Scope.Scope> =>
  Effect.gen(function* () {
    const options = yield* parseOptions(input)
    const endpoint = resolveEndpoint(options)
    const proxy = yield* Effect.try({
      try: () => proxyFor(endpoint.url, environment),
      catch: (error) => new SegmentTransportOptionsError({ message: error instanceof Error ? error.message : "the proxy variable is invalid" })
    })
    const open: Effect.Effect<NodeHttpClient> =
      proxy === undefined
        ? Effect.sync(() => nodeHttpClient(endpoint.origin, endpoint.path, options.connections))
        : Effect.map(
            Effect.promise(() => import("./ProxyHttpClient.ts")),
            ({ proxyHttpClient }) => proxyHttpClient(endpoint.origin, endpoint.path, options.connections, proxy)
          )
    const { client } = yield* Effect.acquireRelease(open, (http) => Effect.sync(() => http.close()))
    return makeBatchPoster(options, client, (text) => gzipAsync(text), batchBodyBuffer)
  })

/** Provides the core's Transport: posts batches to Segment (or a compatible endpoint) from Node. */
export const layer = (
  input: SegmentTransportOptionsInput,
  environment: ProxyEnvironment = process.env
): Layer.Layer<Transport, SegmentTransportOptionsError> => Layer.effect(Transport, make(input, environment))

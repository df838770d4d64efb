import { Transport, type TransportShape } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { promisify } from "node:util"
import { gzip } from "node:zlib"
import { batchBodyBuffer } from "./BatchBodyBuffer.ts"
import { makeBatchPoster } from "./BatchPoster.ts"
import { nodeHttpClient } from "./NodeHttpClient.ts"
import { resolveEndpoint } from "./SegmentEndpoint.ts"
import { parseOptions, type SegmentTransportOptionsError, type SegmentTransportOptionsInput } from "./SegmentTransportOptions.ts"

const gzipAsync = promisify(gzip)

/**
 * The Node transport: Node's HTTP client with a keep-alive agent of `connections` sockets to the
 * endpoint, closed with the scope. Fails at once when the options are invalid.
 */
export const make = (input: SegmentTransportOptionsInput): Effect.Effect<TransportShape, SegmentTransportOptionsError, Scope.Scope> =>
  Effect.gen(function* () {
    const options = yield* parseOptions(input)
    const endpoint = resolveEndpoint(options)
    const { client } = yield* Effect.acquireRelease(
      Effect.sync(() => nodeHttpClient(endpoint.origin, endpoint.path, options.connections)),
      (http) => Effect.sync(() => http.close())
    )
    return makeBatchPoster(options, client, (text) => gzipAsync(text), batchBodyBuffer)
  })

/** Provides the core's Transport: posts batches to Segment (or a compatible endpoint) from Node. */
export const layer = (input: SegmentTransportOptionsInput): Layer.Layer<Transport, SegmentTransportOptionsError> =>
  Layer.effect(Transport, make(input))

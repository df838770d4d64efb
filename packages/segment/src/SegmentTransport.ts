import { Transport, type TransportShape } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { promisify } from "node:util"
import { gzip } from "node:zlib"
import { Pool } from "undici"
import { batchBodyBuffer } from "./BatchBodyBuffer.ts"
import { type HttpClient, makeBatchPoster } from "./BatchPoster.ts"
import { resolveEndpoint } from "./SegmentEndpoint.ts"
import {
  parseOptions,
  type SegmentTransportOptionsError,
  type SegmentTransportOptionsInput
} from "./SegmentTransportOptions.ts"

const gzipAsync = promisify(gzip)

/**
 * The Node transport: undici keep-alive pool of `connections` sockets to the endpoint, closed
 * with the scope. Fails at once when the options are invalid.
 */
export const make = (
  input: SegmentTransportOptionsInput
): Effect.Effect<TransportShape, SegmentTransportOptionsError, Scope.Scope> =>
  Effect.gen(function* () {
    const options = yield* parseOptions(input)
    const endpoint = resolveEndpoint(options)
    const pool = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Pool(endpoint.origin, {
            connections: options.connections,
            // undici's own deadlines back up the attempt's: connect, first byte, gaps in the body.
            connect: { timeout: options.timeoutMillis },
            headersTimeout: options.timeoutMillis,
            bodyTimeout: options.timeoutMillis
          })
      ),
      (pool) => Effect.promise(() => pool.destroy())
    )
    const client: HttpClient = async ({ headers, body, signal }) => {
      const response = await pool.request({ method: "POST", path: endpoint.path, headers, body, signal })
      // Read the answer to its end: a cut-off body rejects here (a network error), and a fully
      // read body frees the connection for the next batch.
      const text = await response.body.text()
      const retryAfter = response.headers["retry-after"]
      return { status: response.statusCode, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, body: text }
    }
    return makeBatchPoster(options, client, (text) => gzipAsync(text), batchBodyBuffer)
  })

/** Provides the core's Transport: posts batches to Segment (or a compatible endpoint) from Node. */
export const layer = (input: SegmentTransportOptionsInput): Layer.Layer<Transport, SegmentTransportOptionsError> =>
  Layer.effect(Transport, make(input))

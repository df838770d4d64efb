import { Transport, type TransportShape } from "@tablecast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type HttpClient, makeBatchPoster } from "./BatchPoster.ts"
import { resolveEndpoint } from "./SegmentEndpoint.ts"
import { parseOptions, type SegmentTransportOptionsError, type SegmentTransportOptionsInput } from "./SegmentTransportOptions.ts"

/** Gzip with the web's CompressionStream (Workers, Deno, browsers, Node). */
const gzipWithCompressionStream = async (text: string): Promise<Uint8Array> => {
  const compressed = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))
  return new Uint8Array(await new Response(compressed).arrayBuffer())
}

/** What the fetch transport takes besides its options. */
export interface FetchTransportDependencies {
  /** The fetch to post with (a service binding's, a test's); the global one by default. */
  readonly fetch?: typeof globalThis.fetch
}

/**
 * The fetch transport, for Cloudflare Workers and other runtimes with web APIs only: no `node:`
 * module. Connection reuse is the runtime's business, so `connections` is ignored.
 */
export const make = (
  input: SegmentTransportOptionsInput,
  dependencies: FetchTransportDependencies = {}
): Effect.Effect<TransportShape, SegmentTransportOptionsError> =>
  Effect.gen(function* () {
    const options = yield* parseOptions(input)
    const endpoint = resolveEndpoint(options)
    const fetch = dependencies.fetch ?? globalThis.fetch
    const client: HttpClient = async ({ headers, body, signal }) => {
      const response = await fetch(endpoint.url, {
        method: "POST",
        headers,
        // Our bodies are a string or a gzip result over a plain ArrayBuffer.
        body: body as BodyInit,
        signal,
        // A POST must not be replayed elsewhere as a GET: a redirect is reported instead.
        redirect: "manual"
      })
      // Read to the end: a cut-off body rejects here, as a network error.
      const text = await response.text()
      return { status: response.status, retryAfter: response.headers.get("retry-after"), body: text }
    }
    return makeBatchPoster(options, client, gzipWithCompressionStream)
  })

/** Provides the core's Transport over fetch (Cloudflare Workers). */
export const layer = (
  input: SegmentTransportOptionsInput,
  dependencies: FetchTransportDependencies = {}
): Layer.Layer<Transport, SegmentTransportOptionsError> => Layer.effect(Transport, make(input, dependencies))

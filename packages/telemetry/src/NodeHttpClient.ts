import type * as Http from "node:http"
import * as Effect from "effect/Effect"
import type * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Layer from "effect/Layer"

/** A collector's answer, read whole (an export response is a few bytes). */
interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: Buffer
}

const bodyOf = (request: HttpClientRequest.HttpClientRequest): Uint8Array | string | undefined => {
  switch (request.body._tag) {
    case "Uint8Array":
      return request.body.body
    case "Raw":
      return typeof request.body.body === "string" || request.body.body instanceof Uint8Array ? request.body.body : undefined
    default:
      return undefined
  }
}

const post = (url: URL, request: HttpClientRequest.HttpClientRequest, headers: Headers.Headers, signal: AbortSignal): Promise<Answer> =>
  new Promise((resolve, reject) => {
    // Taken at run time rather than imported, so this module also loads where node:http is absent
    // (the edge worker imports the package's entry and never calls this).
    const transport = process.getBuiltinModule(url.protocol === "https:" ? "node:https" : "node:http") as typeof Http
    const outgoing = transport.request(url.href, { method: request.method, headers, signal }, (incoming) => {
      const chunks: Array<Buffer> = []
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
      incoming.on("error", reject)
      incoming.on("end", () => {
        const answerHeaders: Record<string, string> = {}
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(", ") : value
        }
        resolve({ status: incoming.statusCode ?? 0, headers: answerHeaders, body: Buffer.concat(chunks) })
      })
    })
    outgoing.on("error", reject)
    outgoing.end(bodyOf(request))
  })

/**
 * What {@link HttpClientResponse.fromWeb} reads of a Response: its status, headers and bytes. Built
 * by hand because touching Node's global `Response` loads undici, the cost this client avoids.
 */
const responseOf = (request: HttpClientRequest.HttpClientRequest, answer: Answer): HttpClientResponse.HttpClientResponse => {
  const source = {
    status: answer.status,
    url: "",
    headers: answer.headers,
    body: null,
    arrayBuffer: () => Promise.resolve(answer.body.buffer.slice(answer.body.byteOffset, answer.body.byteOffset + answer.body.byteLength))
  }
  return HttpClientResponse.fromWeb(request, source as unknown as Response)
}

const nodeHttpClient = HttpClient.make((request, url, signal) =>
  Effect.tryPromise({
    try: () => post(url, request, request.headers, signal),
    catch: (cause) => new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })
  }).pipe(Effect.map((answer) => responseOf(request, answer)))
)

/**
 * An Effect `HttpClient` over `node:http`/`node:https`, for the exporter of a Node process (the CLI,
 * `@tablecast/node`): Node's `fetch` would load undici, 16–18 MiB of resident memory for the few
 * small posts an export makes. Sends buffered bodies only (what the OTLP exporter sends).
 */
export const nodeHttpClientLayer: Layer.Layer<HttpClient.HttpClient> = HttpClient.layerMergedContext(Effect.succeed(nodeHttpClient))

import type { IncomingMessage } from "node:http"
import type { HttpAnswer, HttpClient, HttpPost } from "./BatchPoster.ts"
import { http, https } from "./NodeHttpModules.ts"

/** An HttpClient and what closes its sockets. */
export interface NodeHttpClient {
  readonly client: HttpClient
  readonly close: () => void
}

/**
 * Posts over Node's own HTTP client, with a keep-alive agent of `connections` sockets to the
 * endpoint's origin. Why not undici: it loads about 1 MB of code and a WebAssembly HTTP parser
 * into every process (5 MiB of heap, more in all), where `node:http` is part of Node and parses
 * with Node's native llhttp (and is required so that it does not load undici anyway: see
 * NodeHttpModules.ts). Deadlines are the attempt's (its AbortSignal), as with fetch.
 */
export const nodeHttpClient = (origin: string, path: string, connections: number): NodeHttpClient => {
  const url = new URL(origin)
  const secure = url.protocol === "https:"
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: connections })
    : new http.Agent({ keepAlive: true, maxSockets: connections })
  const request = secure ? https.request : http.request
  // URL keeps the brackets of an IPv6 literal; Node's request wants the bare address.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1")
  // Memory: no callback refers to the post or its body (up to 475,000 bytes), so none keeps it
  // while the answer is awaited: once the socket has taken it, it is garbage (with 32 requests in
  // flight at 80 ms, up to 15 MB of bodies otherwise).
  const start = (post: HttpPost, resolve: (answer: HttpAnswer) => void, reject: (error: unknown) => void): void => {
    const body = post.body
    const posting = request(
      {
        hostname,
        port: url.port,
        path,
        method: "POST",
        agent,
        signal: post.signal,
        headers: { ...post.headers, "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength) }
      },
      (response) => answered(response, resolve, reject)
    )
    posting.on("error", reject)
    posting.end(body)
  }
  const client: HttpClient = (post) => new Promise((resolve, reject) => start(post, resolve, reject))
  return { client, close: () => agent.destroy() }
}

/** Reads an answer to the end (a promise settles once, so a later "end" changes nothing). */
const answered = (response: IncomingMessage, resolve: (answer: HttpAnswer) => void, reject: (error: unknown) => void): void => {
  const chunks: Array<Buffer> = []
  response.on("data", (chunk: Buffer) => chunks.push(chunk))
  response.on("error", reject)
  response.on("end", () => {
    const retryAfter = response.headers["retry-after"]
    resolve({
      status: response.statusCode ?? 0,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      body: Buffer.concat(chunks).toString("utf8")
    })
  })
  // A connection closed before the end of the answer: a network error, as undici and fetch
  // report it.
  response.on("close", () => {
    if (!response.complete) reject(Object.assign(new Error("the connection closed before the end of the answer"), { code: "ECONNRESET" }))
  })
}

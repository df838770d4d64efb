import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { gunzipSync } from "node:zlib"

/** A request as the test endpoint received it. */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** The body as sent on the wire (compressed when gzip is on). */
  readonly raw: Buffer
  /** The body as text, gunzipped when it came gzipped. */
  readonly text: string
}

export type Handler = (request: RecordedRequest, response: ServerResponse, socket: Socket) => void

/**
 * A tiny HTTP endpoint on loopback for transport tests: records every request and answers
 * with whatever `handler` the test sets (200 `{"success":true}` by default).
 */
export interface TestEndpoint {
  readonly url: string
  readonly requests: Array<RecordedRequest>
  /** Distinct TCP connections opened to the endpoint. */
  readonly connections: () => number
  /** Resolves once no connection to the endpoint is open. */
  readonly whenNoConnections: () => Promise<void>
  handler: Handler
  readonly close: () => Promise<void>
}

export const ok: Handler = (_request, response) => {
  response.writeHead(200, { "content-type": "application/json" })
  response.end('{"success":true}')
}

/** Answers `status` with `body` and extra headers. */
export const answer =
  (status: number, body = "", headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { "content-type": "application/json", ...headers })
    response.end(body)
  }

export const startTestEndpoint = async (): Promise<TestEndpoint> => {
  const sockets = new Set<Socket>()
  let opened = 0
  let waiters: Array<() => void> = []
  const whenNoConnections = () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)))
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const raw = Buffer.concat(chunks)
      const gzipped = request.headers["content-encoding"] === "gzip"
      const recorded: RecordedRequest = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        raw,
        text: (gzipped ? gunzipSync(raw) : raw).toString("utf8")
      }
      endpoint.requests.push(recorded)
      endpoint.handler(recorded, response, request.socket)
    })
  })
  server.on("connection", (socket: Socket) => {
    opened++
    sockets.add(socket)
    socket.on("close", () => {
      sockets.delete(socket)
      if (sockets.size === 0) {
        for (const wake of waiters) wake()
        waiters = []
      }
    })
  })
  // Keep idle connections far longer than any test, so only the client closes them.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  const endpoint: TestEndpoint = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    connections: () => opened,
    whenNoConnections,
    handler: ok,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    }
  }
  return endpoint
}

import { createServer, type IncomingMessage, type Server } from "node:http"
import { createServer as createTlsServer } from "node:https"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { classifyFailure } from "./FailureClassification.ts"
import { nodeHttpClient } from "./NodeHttpClient.ts"
import { selfSigned } from "./test/SelfSigned.ts"

let server: Server | undefined
afterEach(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))))

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

/** A server on `host` that answers with what `answer` writes, after reading the whole request. */
const listen = (host: string, answer: (body: string, headers: IncomingMessage["headers"], response: import("node:http").ServerResponse) => void) =>
  new Promise<number>((resolve) => {
    server = createServer(async (request, response) => answer(await readBody(request), request.headers, response))
    server.listen(0, host, () => resolve((server!.address() as AddressInfo).port))
  })

describe("nodeHttpClient", () => {
  it("posts to an IPv6 literal origin, with the body's length, and reads the whole answer", async () => {
    const body = '{"batch":[{"n":"Zoë"}]}'
    let seen: { body: string; length: string | undefined } | undefined
    const port = await listen("::1", (received, headers, response) => {
      seen = { body: received, length: headers["content-length"] }
      response.writeHead(429, { "retry-after": "7" }).end("slow down")
    })
    const http = nodeHttpClient(`http://[::1]:${port}`, "/v1/batch", 2)
    try {
      const answer = await http.client({ headers: { "content-type": "application/json" }, body, signal: new AbortController().signal })
      expect(answer).toEqual({ status: 429, retryAfter: "7", body: "slow down" })
      expect(seen).toEqual({ body, length: String(Buffer.byteLength(body)) })
    } finally {
      http.close()
    }
  })

  it("rejects an answer cut off before its end as a reset connection", async () => {
    const port = await listen("127.0.0.1", (_body, _headers, response) => {
      response.writeHead(200, { "content-length": "100" })
      response.write("only part of it")
      setTimeout(() => response.socket?.destroy(), 20)
    })
    const http = nodeHttpClient(`http://127.0.0.1:${port}`, "/v1/batch", 1)
    try {
      await expect(http.client({ headers: {}, body: new Uint8Array([123, 125]), signal: new AbortController().signal })).rejects.toMatchObject({
        code: "ECONNRESET"
      })
    } finally {
      http.close()
    }
  })

  it("speaks TLS to an https origin: a certificate it cannot trust fails, and is not retried", async () => {
    const tls = createTlsServer(selfSigned, (_request, response) => response.end("never"))
    server = tls
    const port = await new Promise<number>((resolve) => tls.listen(0, "127.0.0.1", () => resolve((tls.address() as AddressInfo).port)))
    const http = nodeHttpClient(`https://127.0.0.1:${port}`, "/v1/batch", 1)
    try {
      const failure = await http.client({ headers: {}, body: "{}", signal: new AbortController().signal }).then(
        () => undefined,
        (error: unknown) => error
      )
      expect(failure).toMatchObject({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" })
      expect(classifyFailure(failure, { timedOut: false, timeoutMillis: 1000 })).toMatchObject({ kind: "network", retryable: false })
    } finally {
      http.close()
    }
  })
})

import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import { afterEach, describe, expect, it } from "vitest"
import { nodeHttpClientLayer } from "./NodeHttpClient.ts"

interface Taken {
  readonly method: string | undefined
  readonly path: string | undefined
  readonly contentType: string | undefined
  readonly custom: string | undefined
  readonly body: string
}

let server: Server | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())))
  server = undefined
})

/** A loopback server answering `status` with a body naming what it took; keeps what it took. */
const startServer = async (status: number) => {
  const taken: Array<Taken> = []
  const listening = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      taken.push({
        method: request.method,
        path: request.url,
        contentType: request.headers["content-type"],
        custom: request.headers["x-key"] as string,
        body
      })
      response.writeHead(status, { "content-type": "application/json", "x-answer": "yes" }).end(JSON.stringify({ length: body.length }))
    })
  })
  server = listening
  const port = await new Promise<number>((resolve) => listening.listen(0, "127.0.0.1", () => resolve((listening.address() as AddressInfo).port)))
  return { url: `http://127.0.0.1:${port}`, taken }
}

const execute = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(request)
      return { status: response.status, header: response.headers["x-answer"], json: yield* response.json }
    }).pipe(Effect.provide(nodeHttpClientLayer))
  )

describe("nodeHttpClientLayer", () => {
  it("posts the body with its content type and headers, and reads the status, headers and body of the answer", async () => {
    const { url, taken } = await startServer(200)
    const body = JSON.stringify({ resourceSpans: [{ name: "tablecast.run" }] })
    const request = HttpClientRequest.post(`${url}/v1/traces`, { headers: { "x-key": "k1" } }).pipe(
      HttpClientRequest.bodyText(body, "application/json")
    )
    const answer = await execute(request)
    expect(taken).toEqual([{ method: "POST", path: "/v1/traces", contentType: "application/json", custom: "k1", body }])
    expect(answer).toEqual({ status: 200, header: "yes", json: { length: body.length } })
  })

  it("sends bytes as they are", async () => {
    const { url, taken } = await startServer(200)
    const bytes = new Uint8Array([10, 3, 0x61, 0x62, 0x63])
    await execute(HttpClientRequest.post(`${url}/v1/metrics`).pipe(HttpClientRequest.bodyUint8Array(bytes, "application/x-protobuf")))
    expect(taken[0]?.contentType).toBe("application/x-protobuf")
    expect(Buffer.from(taken[0]?.body ?? "", "utf8")).toEqual(Buffer.from(bytes))
  })

  it("hands an error status back as the response's status (the exporter decides to retry)", async () => {
    const { url } = await startServer(503)
    const answer = await execute(HttpClientRequest.post(`${url}/v1/traces`).pipe(HttpClientRequest.bodyText("{}", "application/json")))
    expect(answer.status).toBe(503)
  })

  it("fails with a TransportError when nothing listens", async () => {
    const { url } = await startServer(200)
    await new Promise<void>((resolve) => server?.close(() => resolve()))
    server = undefined
    const failure = await execute(HttpClientRequest.post(`${url}/v1/traces`).pipe(HttpClientRequest.bodyText("{}", "application/json"))).then(
      () => undefined,
      (error: unknown) => error
    )
    expect((failure as { readonly reason?: { readonly _tag: string } }).reason?._tag).toBe("TransportError")
  })
})

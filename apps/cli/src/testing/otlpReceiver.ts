import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/** One export the receiver took: its path (`/v1/traces`, `/v1/metrics`), headers and body as sent. */
export interface OtlpExport {
  readonly path: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly contentType: string
  readonly body: Buffer
}

/**
 * A local OTLP/HTTP receiver (what an OpenTelemetry Collector's `otlp` receiver does on 4318):
 * takes every POST, answers 200 with an empty JSON export response, and keeps what it took.
 */
export const startOtlpReceiver = async () => {
  const exports: Array<OtlpExport> = []
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      exports.push({
        path: request.url ?? "",
        headers: request.headers,
        contentType: request.headers["content-type"] ?? "",
        body: Buffer.concat(chunks)
      })
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    /** The JSON bodies posted to a path (the receiver must have been sent http/json). */
    json: <T>(path: string): Array<T> => exports.filter((sent) => sent.path === path).map((sent) => JSON.parse(sent.body.toString("utf8")) as T),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

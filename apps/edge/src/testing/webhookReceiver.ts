import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A loopback webhook receiver for the alert tests, in the Node side of the test run:
 * - `POST /hook/<name>` — takes an alert (200) and keeps its body under `<name>`;
 * - `POST /flaky/<name>` — answers 500 the first time for `<name>`, then takes it as `/hook/` does;
 * - `GET /received/<name>` — the bodies kept under `<name>`, as a JSON array, with their attempts.
 * `downUrl` is a loopback address where nothing listens: a webhook that is down.
 */
export const startWebhookReceiver = async (): Promise<{ url: string; downUrl: string; close: () => Promise<void> }> => {
  const received = new Map<string, Array<unknown>>()
  const attempts = new Map<string, number>()
  const server = createServer((request, response) => {
    const [, route, name = ""] = (request.url ?? "/").split("/")
    const answer = (status: number, body = "") => {
      response.writeHead(status, { "content-type": "application/json" })
      response.end(body)
    }
    if (request.method === "GET" && route === "received") {
      return answer(200, JSON.stringify({ bodies: received.get(name) ?? [], attempts: attempts.get(name) ?? 0 }))
    }
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const seen = (attempts.get(name) ?? 0) + 1
      attempts.set(name, seen)
      if (route === "flaky" && seen === 1) return answer(500)
      if (route !== "hook" && route !== "flaky") return answer(404)
      received.set(name, [...(received.get(name) ?? []), JSON.parse(Buffer.concat(chunks).toString("utf8"))])
      answer(200, "{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const down = createServer()
  await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve))
  const downPort = (down.address() as AddressInfo).port
  await new Promise<void>((resolve) => down.close(() => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    downUrl: `http://127.0.0.1:${downPort}/hook/down`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

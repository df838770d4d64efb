import { createServer, type IncomingMessage, type Server } from "node:http"
import { type AddressInfo, connect, type Socket } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import type { DeliveryReport } from "@tablecast/core"
import { type Sink, startSink } from "@tablecast/sink"
import { afterEach, describe, expect, it } from "vitest"
import { runCli } from "./testing/runCli.ts"

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/sales-predictions.csv")
const WRITE_KEY = "wk_test_proxy_5d1e9a"

/** A CONNECT proxy on loopback that wants `credentials` and counts the tunnels it opens. */
const startProxy = async (credentials: string) => {
  const tunnels: Array<string> = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((_request, response) => response.writeHead(405).end())
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  server.on("connect", (request: IncomingMessage, client: Socket) => {
    if (request.headers["proxy-authorization"] !== `Basic ${Buffer.from(credentials).toString("base64")}`)
      return void client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
    const target = new URL(`http://${request.url}`)
    if (target.hostname !== "127.0.0.1") return void client.end("HTTP/1.1 403 Forbidden\r\n\r\n")
    const upstream = connect(Number(target.port), target.hostname, () => {
      tunnels.push(request.url ?? "")
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on("close", () => sockets.delete(upstream))
    upstream.on("error", () => client.destroy())
    client.on("error", () => upstream.destroy())
  })
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return { port, tunnels, close }
}

let sink: Sink | undefined
let proxy: Awaited<ReturnType<typeof startProxy>> | undefined
afterEach(async () => {
  await sink?.close()
  await proxy?.close()
  sink = undefined
  proxy = undefined
})

const syncArgs = (endpoint: string) => [
  "sync",
  "-f",
  example,
  "-e",
  "Sales Prediction",
  "-u",
  "customer_id",
  "--endpoint",
  endpoint,
  "--json",
  "--no-checkpoint"
]

describe("tablecast sync behind a proxy", () => {
  it("sends every batch through HTTP_PROXY, and goes direct to a host NO_PROXY names", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    proxy = await startProxy("ops:pr0xy-pass")
    const proxied = await runCli(syncArgs(sink.url), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, HTTP_PROXY: `http://ops:pr0xy-pass@127.0.0.1:${proxy.port}` }
    })
    expect(proxied.code).toBe(0)
    const report = JSON.parse(proxied.stdout) as DeliveryReport
    expect(report.messages.accepted).toBe(3_000)
    expect(sink.stats().messagesAccepted).toBe(3_000)
    expect(proxy.tunnels.length).toBeGreaterThan(0)
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(sink.url).host]))

    const tunnelsBefore = proxy.tunnels.length
    const direct = await runCli(syncArgs(sink.url), {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, no_proxy: "localhost, 127.0.0.1" }
    })
    expect(direct.code).toBe(0)
    expect(proxy.tunnels.length).toBe(tunnelsBefore)
    expect(sink.stats().messagesAccepted).toBe(6_000)
  })

  it("a proxy that refuses the credentials: the run stops as unreachable (exit 4) naming the proxy and the 407, never the credentials", async () => {
    sink = await startSink({ writeKeys: [WRITE_KEY] })
    proxy = await startProxy("ops:right-pass")
    const result = await runCli([...syncArgs(sink.url), "--max-retry-time", "1000"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, HTTPS_PROXY: `http://ops:wr0ng-pass@127.0.0.1:${proxy.port}` }
    })
    // HTTPS_PROXY stands in for HTTP_PROXY only for https endpoints: this one is http, so it goes direct.
    expect(result.code).toBe(0)
    const refused = await runCli([...syncArgs(sink.url), "--max-retry-time", "1000"], {
      env: { SEGMENT_WRITE_KEY: WRITE_KEY, HTTP_PROXY: `http://ops:wr0ng-pass@127.0.0.1:${proxy.port}` }
    })
    expect(refused.code).toBe(4)
    const report = JSON.parse(refused.stdout) as DeliveryReport
    expect(report.fatal?.kind).toBe("unreachable")
    expect(report.fatal?.message).toContain(`the proxy http://127.0.0.1:${proxy.port} refused the request`)
    expect(report.fatal?.message).toContain("407")
    expect(report.messages.undelivered).toBe(3_000)
    for (const text of [refused.stdout, refused.stderr]) {
      expect(text).not.toContain("wr0ng-pass")
      expect(text).not.toContain("ops:")
    }
  })
})

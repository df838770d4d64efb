import http from "node:http"
import net from "node:net"
import type { AddressInfo } from "node:net"

/** An HTTP proxy on loopback for tests: every CONNECT is tunnelled to one local port, whatever host it names. */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, for HTTPS_PROXY. */
  readonly url: string
  /** The `host:port` of each CONNECT, in order. */
  readonly targets: ReadonlyArray<string>
  close(): Promise<void>
}

/**
 * Starts the proxy. The client resolves no name itself when it goes through a proxy, so a
 * workspace host name such as `dbc-test.cloud.databricks.com` reaches the test server on
 * loopback, and nothing else is contacted: the tunnel always leads to `targetPort` on 127.0.0.1.
 */
export const startConnectProxy = async (targetPort: number): Promise<ConnectProxy> => {
  const targets: Array<string> = []
  const sockets = new Set<net.Socket>()
  const server = http.createServer((_request, response) => response.writeHead(405).end("CONNECT only"))
  server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    targets.push(request.url ?? "")
    const upstream = net.connect(targetPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      socket.on("error", () => {
        client.destroy()
        upstream.destroy()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

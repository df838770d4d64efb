import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http"
import { connect, type AddressInfo, type Socket } from "node:net"

/** What passed through the proxy. */
export interface ProxyTraffic {
  /** `host:port` of each CONNECT tunnel asked for. */
  readonly tunnels: Array<string>
  /** Absolute-form URLs of each plain request forwarded. */
  readonly forwarded: Array<string>
  /** The Proxy-Authorization header of each CONNECT or request, as received. */
  readonly authorizations: Array<string | undefined>
}

export interface LoopbackProxy extends ProxyTraffic {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  readonly port: number
  /** Connections opened to the proxy by its clients. */
  readonly clientConnections: () => number
  readonly close: () => Promise<void>
}

/**
 * A small forward proxy on loopback for tests: opens CONNECT tunnels and forwards absolute-form
 * requests, counting both. With `credentials` ("user:password"), anything without the matching
 * Basic Proxy-Authorization is answered 407. Only ever connects to loopback targets.
 */
export const startLoopbackProxy = async (options: { readonly credentials?: string } = {}): Promise<LoopbackProxy> => {
  const traffic: ProxyTraffic = { tunnels: [], forwarded: [], authorizations: [] }
  const expected = options.credentials === undefined ? undefined : `Basic ${Buffer.from(options.credentials).toString("base64")}`
  const authorized = (request: IncomingMessage): boolean => {
    const given = request.headers["proxy-authorization"]
    traffic.authorizations.push(given)
    return expected === undefined || given === expected
  }
  const loopback = (host: string) => host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]"
  const sockets = new Set<Socket>()
  let clientConnections = 0
  // One upstream connection per client connection, closed with it: the endpoint sees the client's
  // pooling, a reset or a cut-off answer reaches the client as a closed connection, and a request
  // the client gives up on is given up upstream, as through a tunnel.
  const upstreamAgents = new WeakMap<Socket, Agent>()
  const agentFor = (client: Socket): Agent => {
    let agent = upstreamAgents.get(client)
    if (agent === undefined) {
      const created = new Agent({ keepAlive: true, maxSockets: 1 })
      client.on("close", () => created.destroy())
      upstreamAgents.set(client, created)
      agent = created
    }
    return agent
  }
  const server: Server = createServer((request, response) => {
    if (!authorized(request)) return void response.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end()
    const target = new URL(request.url ?? "")
    if (!loopback(target.hostname)) return void response.writeHead(403).end("loopback only")
    traffic.forwarded.push(target.href)
    const { "proxy-authorization": _credentials, ...headers } = request.headers
    const client = request.socket
    const upstream = httpRequest(target, { method: request.method, headers, agent: agentFor(client) }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
      answer.on("close", () => {
        if (!answer.complete) client.destroy()
      })
    })
    upstream.on("error", () => client.destroy())
    request.pipe(upstream)
  })
  server.on("connection", (socket) => {
    clientConnections++
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  server.on("connect", (request: IncomingMessage, client: Socket, head: Buffer) => {
    if (!authorized(request))
      return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n')
    const at = (request.url ?? "").lastIndexOf(":")
    const host = (request.url ?? "").slice(0, at).replace(/^\[(.*)\]$/, "$1")
    const port = Number((request.url ?? "").slice(at + 1))
    if (!loopback(host)) return void client.end("HTTP/1.1 403 Forbidden\r\n\r\n")
    traffic.tunnels.push(request.url ?? "")
    let established = false
    const upstream = connect(port, host, () => {
      established = true
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on("close", () => sockets.delete(upstream))
    // As a real proxy does: an endpoint it cannot reach is a 502 to the CONNECT.
    upstream.on("error", () => (established ? client.destroy() : client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n")))
    client.on("error", () => upstream.destroy())
  })
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)))
  return {
    ...traffic,
    url: `http://127.0.0.1:${port}`,
    clientConnections: () => clientConnections,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

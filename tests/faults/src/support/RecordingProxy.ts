import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync } from "node:zlib"
import { rowOf } from "./Rows.ts"

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  /** 1, 2, ... in order of arrival. */
  readonly number: number
  /** `Date.now()` when its body had arrived. */
  readonly arrivedAt: number
  /** When the answer was written back; undefined while pending (or when the client left first). */
  answeredAt: number | undefined
  /** The status passed back, "reset" for a connection reset on purpose, "gone" when the client left first. */
  status: number | "reset" | "gone" | undefined
  /** Answered by the interception rule rather than the receiver. */
  intercepted: boolean
  readonly writeKey: string | undefined
  readonly messageIds: ReadonlyArray<string>
  /** The rows of its messages (by their userIds). */
  readonly rows: ReadonlyArray<number>
}

/** What the rule answers instead of the receiver: an HTTP answer, or a connection reset. */
export type Interception =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  | { readonly reset: true }

export type InterceptRule = (request: ProxiedRequest) => Interception | undefined

export interface RecordingProxy {
  readonly url: string
  readonly port: number
  readonly requests: ReadonlyArray<ProxiedRequest>
  /** messageId → row, for every message of a 2xx answer handed back to the client. */
  readonly acknowledged: ReadonlyMap<string, number>
  /** messageId → the message itself, for every message of a 2xx answer handed back to the client. */
  readonly acknowledgedMessages: ReadonlyMap<string, Record<string, unknown>>
  /** Sets (or clears) the rule that answers some requests instead of the receiver. */
  readonly intercept: (rule: InterceptRule | undefined) => void
  /** Called after each answer is written back (or the request otherwise ends). */
  readonly onAnswer: (listener: (request: ProxiedRequest) => void) => void
  readonly close: () => Promise<void>
}

const writeKeyOf = (authorization: string | undefined): string | undefined => {
  const match = /^basic\s+(\S+)$/i.exec(authorization?.trim() ?? "")
  if (match === null) return undefined
  const user = Buffer.from(match[1]!, "base64").toString("utf8").split(":")[0]
  return user === "" ? undefined : user
}

const readAll = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * A small HTTP proxy in front of the receiver (the sink) that records every request — when it
 * arrived, what it carried, what was answered — and can answer some requests itself (a 504, a 400
 * on the Nth batch, a 401 for a revoked key). What the sink cannot fake, the proxy does; what the
 * client was told, the proxy knows.
 */
export const startRecordingProxy = async (target: string): Promise<RecordingProxy> => {
  const targetUrl = new URL(target)
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const requests: Array<ProxiedRequest> = []
  const acknowledged = new Map<string, number>()
  const acknowledgedMessages = new Map<string, Record<string, unknown>>()
  const listeners: Array<(request: ProxiedRequest) => void> = []
  let rule: InterceptRule | undefined

  const finish = (record: ProxiedRequest, status: ProxiedRequest["status"]) => {
    record.status = status
    record.answeredAt = Date.now()
    for (const listener of listeners) listener(record)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const raw = await readAll(request)
    let messages: Array<{ messageId?: unknown; userId?: unknown }> = []
    try {
      const text = request.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : raw.toString("utf8")
      const body = JSON.parse(text) as { batch?: unknown }
      if (Array.isArray(body.batch)) messages = body.batch as typeof messages
    } catch {
      // Not a batch: passed on as it is; the receiver answers it.
    }
    const record: ProxiedRequest = {
      number: requests.length + 1,
      arrivedAt: Date.now(),
      answeredAt: undefined,
      status: undefined,
      intercepted: false,
      writeKey: writeKeyOf(request.headers.authorization),
      messageIds: messages.map((message) => String(message.messageId)),
      rows: messages.map((message) => rowOf(message.userId))
    }
    requests.push(record)
    let clientGone = false
    response.on("close", () => {
      if (!response.writableFinished) clientGone = true
    })

    const interception = rule?.(record)
    if (interception !== undefined) {
      record.intercepted = true
      if ("reset" in interception) {
        request.socket.resetAndDestroy()
        return finish(record, "reset")
      }
      const text = JSON.stringify(interception.body ?? { success: false, message: `injected ${interception.status}` })
      response.writeHead(interception.status, { "content-type": "application/json", ...interception.headers })
      response.end(text, () => finish(record, interception.status))
      return
    }

    const upstream = await new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer } | Error>((resolve) => {
      const forward = httpRequest(
        {
          agent,
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: targetUrl.host, "content-length": String(raw.length) }
        },
        (answer) => {
          readAll(answer).then(
            (body) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body }),
            (error: Error) => resolve(error)
          )
        }
      )
      forward.on("error", (error) => resolve(error))
      forward.end(raw)
    })
    if (upstream instanceof Error) {
      // The receiver is not there (closed listener, reset): the client sees the same.
      request.socket.resetAndDestroy()
      return finish(record, "reset")
    }
    if (clientGone) return finish(record, "gone")
    const { connection: _connection, "keep-alive": _keepAlive, "transfer-encoding": _te, ...headers } = upstream.headers
    response.writeHead(upstream.status, { ...headers, "content-length": String(upstream.body.length) })
    response.end(upstream.body, () => {
      if (clientGone) return finish(record, "gone")
      if (upstream.status >= 200 && upstream.status < 300) {
        record.messageIds.forEach((id, index) => {
          acknowledged.set(id, record.rows[index]!)
          acknowledgedMessages.set(id, messages[index] as Record<string, unknown>)
        })
      }
      finish(record, upstream.status)
    })
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy())
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    acknowledged,
    acknowledgedMessages,
    intercept: (next) => {
      rule = next
    },
    onAnswer: (listener) => void listeners.push(listener),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      agent.destroy()
      await closed
    }
  }
}

import type { IncomingMessage, ServerResponse } from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import * as z from "zod"
import { drawFault } from "./FaultPlan.ts"
import { JsonlWriter } from "./JsonlWriter.ts"
import { checkMessage, type CheckedMessage } from "./MessageChecks.ts"
import { Refusal, refusalOf } from "./Refusal.ts"
import { decodeBody, readBody } from "./RequestBody.ts"
import { faultsOf, type SinkFaults, SinkFaultsUpdate, SinkOptions, type SinkOptionsInput, updateFaults } from "./SinkOptions.ts"
import { type SinkStats, StatsCounter } from "./SinkStats.ts"
import { writeKeyOf } from "./WriteKeyAuth.ts"

// Required, not imported: an `import` of node:http has Node (24.21, at least) read every export for the ES
// module facade, the lazy WebSocket among them, which loads undici and http2 (13 MiB more resident).
const { createServer } = createRequire(import.meta.url)("node:http") as typeof import("node:http")

/** A running sink. */
export interface Sink {
  /** Base URL to give a Segment client, e.g. `http://127.0.0.1:14318` (it posts to `/v1/batch`). */
  readonly url: string
  readonly port: number
  /** Counts so far (a copy). */
  readonly stats: () => SinkStats
  /** The faults now in force. */
  readonly faults: () => SinkFaults
  /** Changes some faults (e.g. `{ down: true }`); returns the faults now in force. */
  readonly setFaults: (update: SinkFaultsUpdate) => SinkFaults
  /** Stops listening, cuts open connections and flushes the JSONL file. */
  readonly close: () => Promise<void>
}

/** Endpoint path → the call type it implies (`batch` for the batch endpoint). */
const endpoints: ReadonlyMap<string, string> = new Map([
  ["/v1/batch", "batch"],
  ["/v1/import", "batch"],
  ["/v1/track", "track"],
  ["/v1/identify", "identify"],
  ["/v1/page", "page"],
  ["/v1/screen", "screen"],
  ["/v1/group", "group"],
  ["/v1/alias", "alias"]
])

const answer = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers
  })
  response.end(text)
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

/** The start of a 200 answer, cut off: what a half-written response leaves on the wire. */
const halfWrittenAnswer = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: keep-alive\r\n\r\n{"succ'

/** What the request handlers of one sink share. */
interface SinkState {
  readonly options: SinkOptions
  readonly counter: StatsCounter
  /** The messageIds accepted so far (kept when the options track them). */
  readonly messageIds: Set<string>
  readonly writeKeys: ReadonlySet<string> | undefined
  readonly writer: JsonlWriter | undefined
  /** The last `keepMessages` accepted messages, as JSON text, oldest first. */
  readonly kept: Array<string>
}

const checkWriteKey = (state: SinkState, key: string | undefined) => {
  if (key === undefined) throw new Refusal({ status: 401, message: "no write key: send it as the Basic auth user name" })
  if (state.writeKeys !== undefined && !state.writeKeys.has(key)) throw new Refusal({ status: 401, message: "unknown write key" })
}

/** The messages a parsed body carries; undefined when Segment would drop the batch and answer 200. */
const messagesOf = (state: SinkState, kind: string, parsed: Record<string, unknown>): ReadonlyArray<unknown> | undefined => {
  if (kind === "batch") {
    const batch = parsed["batch"]
    if (!Array.isArray(batch)) throw new Refusal({ status: 400, message: "body has no batch array" })
    const sentAt = parsed["sentAt"]
    if (sentAt !== undefined && (typeof sentAt !== "string" || Number.isNaN(Date.parse(sentAt)))) {
      throw new Refusal({ status: 400, message: "sentAt is not an ISO-8601 date" })
    }
    if (batch.length > state.options.maxBatchCount) {
      // Segment answers 200 and drops such a batch; count it so a test can insist it never happens.
      state.counter.droppedMessages += batch.length
      return undefined
    }
    return batch
  }
  // A single call: the path gives the type, and the write key stays out of the stored message.
  const { writeKey: _writeKey, ...message } = parsed
  return [{ ...message, type: kind }]
}

/** Checks and stores one decoded request; throws a Refusal when a check fails. */
const accept = async (state: SinkState, kind: string, authorization: string | undefined, body: Buffer): Promise<void> => {
  const { options, counter, messageIds, writer } = state
  const headerKey = writeKeyOf(authorization, undefined)
  if (headerKey !== undefined) checkWriteKey(state, headerKey)
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString("utf8"))
  } catch {
    throw new Refusal({ status: 400, message: "body is not valid JSON" })
  }
  if (!isRecord(parsed)) throw new Refusal({ status: 400, message: "body must be a JSON object" })
  if (headerKey === undefined) checkWriteKey(state, writeKeyOf(undefined, parsed))

  const messages = messagesOf(state, kind, parsed)
  if (messages === undefined) return

  const checked: Array<CheckedMessage> = []
  for (let index = 0; index < messages.length; index++) {
    const result = checkMessage(messages[index], options.maxMessageBytes)
    if (typeof result === "string") {
      throw new Refusal({ status: 400, message: kind === "batch" ? `batch[${index}]: ${result}` : result })
    }
    checked.push(result)
  }

  const now = Date.now()
  const receivedAt = new Date(now).toISOString()
  let lines = ""
  for (const message of checked) {
    if (options.trackMessageIds) {
      if (messageIds.has(message.messageId)) counter.duplicateMessageIds++
      else messageIds.add(message.messageId)
    }
    // Every checked message is a non-empty object ("...}"), so receivedAt goes before the brace.
    if (writer !== undefined) lines += `${message.json.slice(0, -1)},"receivedAt":"${receivedAt}"}\n`
    if (options.keepMessages > 0) {
      state.kept.push(message.json)
      // Trimmed in steps, not one shift per message past the bound.
      if (state.kept.length >= 2 * options.keepMessages) state.kept.splice(0, state.kept.length - options.keepMessages)
    }
  }
  if (writer !== undefined && lines !== "") await writer.write(lines)
  counter.batchesAccepted++
  counter.messagesAccepted += checked.length
  counter.firstAcceptedAt ??= now
  counter.lastAcceptedAt = now
}

/** Injects the fault drawn for this request, if any; true when that answered (or cut) the request. */
const answerFault = async (
  counter: StatsCounter,
  current: SinkFaults,
  requestNumber: number,
  request: IncomingMessage,
  response: ServerResponse
): Promise<boolean> => {
  const draw = drawFault(current, requestNumber)
  if (draw.delayMillis > 0) {
    counter.faults.slowed++
    await sleep(draw.delayMillis)
  }
  if (current.down) {
    counter.faults.down++
    answer(response, 503, { success: false, message: "the sink is down" })
    return true
  }
  switch (draw.fault._tag) {
    case "Throttle":
      counter.faults.throttled++
      answer(response, 429, { success: false, message: "too many requests" }, { "retry-after": String(draw.fault.retryAfterSeconds) })
      return true
    case "ServerError":
      counter.faults.serverErrors++
      answer(response, draw.fault.status, { success: false, message: "injected server error" })
      return true
    case "Drop":
      counter.faults.droppedConnections++
      request.socket.resetAndDestroy()
      return true
    case "HalfWrite":
      counter.faults.halfWritten++
      request.socket.end(halfWrittenAnswer)
      return true
    case "None":
      return false
  }
}

/**
 * Starts a local Segment-compatible receiver. It checks each request as Segment would, counts
 * and deduplicates what it accepts, appends it to a JSONL file if asked, and injects the faults
 * configured (reproducibly, from a seed).
 */
export const startSink = async (input: SinkOptionsInput = {}): Promise<Sink> => {
  const options = SinkOptions.parse(input)
  let faults = faultsOf(options)
  const counter = new StatsCounter()
  const messageIds = new Set<string>()
  const writeKeys = options.writeKeys === undefined ? undefined : new Set(options.writeKeys)
  const writer = options.out === undefined ? undefined : await JsonlWriter.open(options.out)
  const state: SinkState = { options, counter, messageIds, writeKeys, writer, kept: [] }

  const handleSegmentCall = async (request: IncomingMessage, response: ServerResponse, kind: string | undefined) => {
    counter.requests++
    const requestNumber = counter.requests
    try {
      const raw = await readBody(request, options.maxBodyBytes)
      counter.bytesReceived += raw.receivedBytes
      if (kind === undefined) throw new Refusal({ status: 404, message: `no such endpoint ${request.url ?? ""}` })
      if (request.method !== "POST") throw new Refusal({ status: 405, message: "use POST", headers: { allow: "POST" } })

      if (await answerFault(counter, faults, requestNumber, request, response)) return

      if (raw.tooLarge) throw new Refusal({ status: 413, message: `body is over ${options.maxBodyBytes} bytes` })
      const body = await decodeBody(raw.bytes, request.headers["content-encoding"], options.maxBodyBytes)
      if (body.length > options.maxBodyBytes) throw new Refusal({ status: 413, message: `body is over ${options.maxBodyBytes} bytes` })
      await accept(state, kind, request.headers.authorization, body)
      answer(response, 200, { success: true })
    } catch (error) {
      const refusal = refusalOf(error)
      counter.rejected(refusal.status, refusal.message)
      if (!response.headersSent && !response.destroyed) {
        answer(response, refusal.status, { success: false, message: refusal.message }, refusal.headers)
      }
    }
  }

  const handleControl = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (path === "/stats" && request.method === "GET") return answer(response, 200, stats())
    if (path === "/metrics" && request.method === "GET") {
      // Loaded on the first scrape: a sink nobody scrapes never loads the formatter.
      const { PROMETHEUS_CONTENT_TYPE, prometheusTextOf } = await import("./SinkMetrics.ts")
      const text = prometheusTextOf(stats())
      response.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE, "content-length": String(Buffer.byteLength(text)) })
      return response.end(text)
    }
    if (path === "/faults" && request.method === "GET") return answer(response, 200, faults)
    if (path === "/messages" && request.method === "GET") {
      const text = `[${state.kept.slice(-options.keepMessages).join(",")}]`
      response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) })
      return response.end(text)
    }
    if (path === "/faults" && request.method === "POST") {
      const raw = await readBody(request, 64 * 1024)
      try {
        const update = SinkFaultsUpdate.parse(JSON.parse(raw.bytes.toString("utf8")))
        return answer(response, 200, setFaults(update))
      } catch (error) {
        const message =
          error instanceof z.ZodError
            ? error.issues.map((issue) => `${issue.path.join(".") || "faults"}: ${issue.message}`).join("; ")
            : "the body must be a JSON object of faults"
        return answer(response, 400, { success: false, message })
      }
    }
    if (path === "/" && request.method === "GET") {
      return answer(response, 200, { name: "tablecast sink", batch: "POST /v1/batch", stats: "GET /stats", metrics: "GET /metrics" })
    }
    request.resume()
    return answer(response, 404, { success: false, message: `no such endpoint ${path}` })
  }

  const stats = () => counter.snapshot(messageIds.size)
  const setFaults = (update: SinkFaultsUpdate): SinkFaults => {
    faults = updateFaults(faults, update)
    return faults
  }

  const server = createServer((request, response) => {
    const url = request.url ?? "/"
    const query = url.indexOf("?")
    const path = query === -1 ? url : url.slice(0, query)
    const done = path.startsWith("/v1/") ? handleSegmentCall(request, response, endpoints.get(path)) : handleControl(request, response, path)
    done.catch(() => response.destroy())
  })
  // Longer than clients' idle keep-alive, so the sink is not the side that races to close.
  server.keepAliveTimeout = 60_000

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const host = options.host.includes(":") ? `[${options.host}]` : options.host

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
      await writer?.close()
    })())

  return { url: `http://${host}:${port}`, port, stats, faults: () => faults, setFaults, close }
}

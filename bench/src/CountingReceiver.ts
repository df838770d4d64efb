import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync } from "node:zlib"
import { type FaultDraw, makeFaultMix } from "./FaultMix.ts"
import { makeTokenBucket } from "./TokenBucket.ts"

/** What the receiver has seen since it started. */
export interface ReceiverStats {
  readonly requests: number
  /** Requests answered 200: only their messages count as arrived. */
  readonly accepted: number
  /** Requests answered 429 because they were over the rate limit (the token bucket). */
  readonly rateLimited: number
  /** Requests answered 429 because the fault mix drew it. */
  readonly faults429: number
  /** Requests answered 500 or 503 (the fault mix). */
  readonly serverErrors: number
  /** Requests whose connection was destroyed without an answer (the fault mix). */
  readonly resets: number
  /** Request bodies as received (compressed when the client gzips). */
  readonly bytes: number
  /** Messages found in accepted batches (one per `messageId`). */
  readonly messages: number
  readonly distinctMessageIds: number
  /** Messages whose `messageId` had already arrived. */
  readonly duplicateMessageIds: number
  /** Requests refused (no Basic auth, not a POST to a batch path). */
  readonly refused: number
  /** Sampled requests whose full parse disagreed with the quick count, or did not parse. */
  readonly verifyFailures: number
  /** CPU seconds the receiver used, to show it was not the bottleneck. */
  readonly cpuSeconds: number
}

const MESSAGE_ID_KEY = Buffer.from('"messageId":"')
const QUOTE = 0x22

/**
 * Finds every `"messageId":"…"` in a batch body without parsing it: in JSON a quote inside a
 * string value is escaped, so this key with its quotes only appears as a key. Messages whose
 * properties hold a key named "messageId" would be counted twice; the benchmark's data has none.
 */
export const messageIdsOf = (body: Buffer): Array<string> => {
  const ids: Array<string> = []
  for (let at = body.indexOf(MESSAGE_ID_KEY); at !== -1; at = body.indexOf(MESSAGE_ID_KEY, at)) {
    const start = at + MESSAGE_ID_KEY.length
    const end = body.indexOf(QUOTE, start)
    if (end === -1) break
    ids.push(body.toString("latin1", start, end))
    at = end + 1
  }
  return ids
}

/** How the receiver behaves like a real endpoint rather than loopback (none: answer at once, always 200). */
export interface ReceiverConditions {
  /** Answer every request this many ms after it arrived, without holding up other requests. */
  readonly latencyMillis?: number
  /** A token bucket of this rate per second (burst the same); above it, 429 with `Retry-After: 1`. */
  readonly requestsPerSecond?: number
  /** Draw each request's fault from the fault mix (see FaultMix.ts) seeded with this number. */
  readonly faultSeed?: number
}

/** Puts off an answer: `setTimeout` by default; tests hold answers to release them when they choose. */
export type Scheduler = (answer: () => void, delayMillis: number) => void

export interface CountingReceiverOptions {
  /** 0 picks a free port. */
  readonly port?: number
  /** Parse one request in this many fully, and check the quick count against it. */
  readonly verifyEvery?: number
  readonly conditions?: ReceiverConditions
  /** The clock of the rate limit, in ms (default `performance.now`). */
  readonly now?: () => number
  readonly schedule?: Scheduler
}

export interface CountingReceiver {
  readonly url: string
  readonly stats: () => ReceiverStats
  readonly close: () => Promise<void>
}

/**
 * A Segment-compatible receiver cheap enough not to be the bottleneck of the run it measures: it
 * answers every batch 200 without parsing it, counts messages and bytes, and keeps every
 * `messageId` to check each arrived once. `@tablecast/sink` checks each message as Segment would
 * and costs several times more CPU per message; the tests use it, the benchmark uses this.
 * With conditions it behaves like a distant, busy endpoint: a latency per request, a rate limit,
 * a fault mix; only the messages of batches it answered 200 count as arrived.
 */
export const startCountingReceiver = async (options: CountingReceiverOptions = {}): Promise<CountingReceiver> => {
  const verifyEvery = options.verifyEvery ?? 50
  const conditions = options.conditions ?? {}
  const latency = conditions.latencyMillis ?? 0
  const now = options.now ?? (() => performance.now())
  const schedule: Scheduler = options.schedule ?? ((answer, delay) => void setTimeout(answer, delay))
  const later = (answer: () => void) => (latency > 0 ? schedule(answer, latency) : answer())
  const bucket =
    conditions.requestsPerSecond === undefined || conditions.requestsPerSecond <= 0
      ? undefined
      : makeTokenBucket(conditions.requestsPerSecond, conditions.requestsPerSecond, now())
  const drawFault: () => FaultDraw = conditions.faultSeed === undefined ? () => "ok" : makeFaultMix(conditions.faultSeed)
  const seen = new Set<string>()
  const cpuAtStart = process.cpuUsage()
  let requests = 0
  let accepted = 0
  let rateLimited = 0
  let faults429 = 0
  let serverErrors = 0
  let resets = 0
  let bytes = 0
  let messages = 0
  let duplicates = 0
  let refused = 0
  let verifyFailures = 0

  const answer = (response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers })
    response.end(body)
  }
  const tooMany = (response: ServerResponse) => answer(response, 429, '{"success":false,"message":"rate limited"}', { "retry-after": "1" })

  const onBatch = (request: IncomingMessage, response: ServerResponse, raw: Buffer) => {
    requests++
    bytes += raw.length
    if (!(request.headers.authorization ?? "").startsWith("Basic ")) {
      refused++
      return later(() => answer(response, 401, '{"success":false,"message":"no write key"}'))
    }
    // The limit is checked on arrival, as a server does; the fault drawn after it, per request.
    if (bucket !== undefined && !bucket.take(now())) {
      rateLimited++
      return later(() => tooMany(response))
    }
    const fault = drawFault()
    if (fault === "429") {
      faults429++
      return later(() => tooMany(response))
    }
    if (fault === "500" || fault === "503") {
      serverErrors++
      return later(() => answer(response, Number(fault), '{"success":false,"message":"server error"}'))
    }
    if (fault === "reset") {
      resets++
      return later(() => request.socket.destroy())
    }
    later(() => acceptBatch(request, response, raw))
  }

  const acceptBatch = (request: IncomingMessage, response: ServerResponse, raw: Buffer) => {
    accepted++
    const body = request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw
    const ids = messageIdsOf(body)
    if (accepted % verifyEvery === 1 || verifyEvery === 1) {
      try {
        const parsed = JSON.parse(body.toString("utf8")) as { batch?: ReadonlyArray<unknown> }
        if (!Array.isArray(parsed.batch) || parsed.batch.length !== ids.length) verifyFailures++
      } catch {
        verifyFailures++
      }
    }
    messages += ids.length
    for (const id of ids) {
      if (seen.has(id)) duplicates++
      else seen.add(id)
    }
    answer(response, 200, '{"success":true}')
  }

  const stats = (): ReceiverStats => {
    const cpu = process.cpuUsage(cpuAtStart)
    return {
      requests,
      accepted,
      rateLimited,
      faults429,
      serverErrors,
      resets,
      bytes,
      messages,
      distinctMessageIds: seen.size,
      duplicateMessageIds: duplicates,
      refused,
      verifyFailures,
      cpuSeconds: (cpu.user + cpu.system) / 1e6
    }
  }

  const server = createServer((request, response) => {
    const url = request.url ?? "/"
    if (request.method === "GET" && url === "/stats") return answer(response, 200, JSON.stringify(stats()))
    if (request.method !== "POST" || !(url === "/v1/batch" || url === "/batch")) {
      request.resume()
      refused++
      return answer(response, 404, '{"success":false}')
    }
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => onBatch(request, response, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

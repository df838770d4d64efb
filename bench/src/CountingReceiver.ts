import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync } from "node:zlib"

/** What the receiver has seen since it started. */
export interface ReceiverStats {
  readonly requests: number
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

export interface CountingReceiverOptions {
  /** 0 picks a free port. */
  readonly port?: number
  /** Parse one request in this many fully, and check the quick count against it. */
  readonly verifyEvery?: number
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
 */
export const startCountingReceiver = async (options: CountingReceiverOptions = {}): Promise<CountingReceiver> => {
  const verifyEvery = options.verifyEvery ?? 50
  const seen = new Set<string>()
  const cpuAtStart = process.cpuUsage()
  let requests = 0
  let bytes = 0
  let messages = 0
  let duplicates = 0
  let refused = 0
  let verifyFailures = 0

  const answer = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    response.end(body)
  }

  const onBatch = (request: IncomingMessage, response: ServerResponse, raw: Buffer) => {
    requests++
    bytes += raw.length
    if (!(request.headers.authorization ?? "").startsWith("Basic ")) {
      refused++
      return answer(response, 401, '{"success":false,"message":"no write key"}')
    }
    const body = request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw
    const ids = messageIdsOf(body)
    if (requests % verifyEvery === 1) {
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

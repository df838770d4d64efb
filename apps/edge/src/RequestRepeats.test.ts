import { MESSAGE_ID_PREFIX, PipelineOptions, SyncSpec, utf8ByteLength } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { chunkHeader, chunkRows, type ChunkMessage } from "./ChunkMessage.ts"
import { splitIntoChunks } from "./RunChunks.ts"
import { parseRunRequest } from "./RunRequest.ts"
import { runEdgeEffect } from "./EffectBridge.ts"
import { runRows } from "./RunSync.ts"
import { captureTransport } from "./testing/captureTransport.ts"

const capture = captureTransport

/**
 * 2,500 rows of 700 contents: row i repeats row i - 700, so every content occurs 3 or 4 times and
 * its occurrences sit in different chunks of 500 rows.
 */
const body = `id,plan\n${Array.from({ length: 2_500 }, (_, index) => `c${index % 700},p${index % 7}`).join("\n")}\n`

const parse = (spec: object) =>
  parseRunRequest(
    {
      contentType: "text/csv",
      contentLength: undefined,
      query: (name) => (name === "spec" ? JSON.stringify(spec) : undefined),
      header: () => undefined,
      body: () => new Response(body).body
    },
    { MAX_BODY_BYTES: 20_000_000, MAX_ROWS: 100_000, MAX_CELLS: 1_000_000 },
    false
  )

/** The messages one synchronous run of the whole body sends. */
const synchronous = async (spec: object) => {
  const request = await parse(spec)
  const sink = capture()
  const report = await runEdgeEffect(
    runRows({
      spec: SyncSpec.parse(spec),
      options: PipelineOptions.parse({}),
      rows: request.rows,
      description: "request",
      fingerprint: "request",
      transport: sink.layer
    })
  )
  expect(report.rows.rejected).toBe(0)
  return sink.messages
}

/** The request split as the queued path splits it: 5 chunks of 500 rows. */
const split = async (spec: object) => {
  const request = await parse(spec)
  const chunks = splitIntoChunks({
    header: chunkHeader({
      runId: "run-1",
      rows: request.rows,
      spec: SyncSpec.parse(spec),
      options: PipelineOptions.parse({}),
      writeKey: undefined
    }),
    items: request.rows.items,
    maxRows: 500,
    maxBytes: 96_000
  })
  expect(chunks).toHaveLength(5)
  for (const chunk of chunks) expect(utf8ByteLength(JSON.stringify(chunk.message))).toBeLessThanOrEqual(chunk.bytes)
  return chunks
}

/** One delivery of a chunk by the consumer: through the queue's JSON, its own run and mapper. */
const deliver = async (chunk: ChunkMessage) => {
  const message = JSON.parse(JSON.stringify(chunk)) as ChunkMessage
  const sink = capture()
  const report = await runEdgeEffect(
    runRows({
      spec: SyncSpec.parse(message.spec),
      options: PipelineOptions.parse(message.options),
      rows: chunkRows(message),
      description: "chunk",
      fingerprint: `chunk-${message.chunk}`,
      transport: sink.layer
    })
  )
  expect(report.rows.rejected).toBe(0)
  return sink.messages
}

const ids = (messages: ReadonlyArray<any>): Array<string> => messages.map((message) => message.messageId as string).sort()

describe("a queued run numbers identical rows across its chunks", () => {
  it("gives identical rows in different chunks distinct ids: the ids one synchronous run gives", async () => {
    const spec = { event: "Order", customerId: "id" }
    const chunks = await split(spec)
    // Chunk 0 has nothing before it; chunk 1 (rows 501–1000) repeats 300 contents of chunk 0.
    expect(chunks[0]!.message.repeatsBefore).toBeUndefined()
    expect(Object.keys(chunks[1]!.message.repeatsBefore ?? {})).toHaveLength(300)
    expect(Object.values(chunks[3]!.message.repeatsBefore ?? {}).sort()).toContain(2)
    const queued = []
    for (const chunk of chunks) queued.push(...(await deliver(chunk.message)))
    expect(queued).toHaveLength(2_500)
    expect(new Set(queued.map((message) => message.messageId)).size).toBe(2_500)
    expect(ids(queued)).toEqual(ids(await synchronous(spec)))
    for (const id of ids(queued)) expect(id.startsWith(MESSAGE_ID_PREFIX)).toBe(true)
  })

  it("numbers each message of a `both` row: identify and track apart", async () => {
    const spec = { type: "both", event: "Order", customerId: "id", exclude: ["plan"] }
    const queued = []
    for (const chunk of await split(spec)) queued.push(...(await deliver(chunk.message)))
    expect(queued).toHaveLength(5_000)
    expect(new Set(queued.map((message) => message.messageId)).size).toBe(5_000)
    expect(ids(queued)).toEqual(ids(await synchronous(spec)))
  })

  it("a retried chunk gives the ids it gave the first time", async () => {
    const chunks = await split({ event: "Order", customerId: "id" })
    const first = await deliver(chunks[3]!.message)
    const again = await deliver(chunks[3]!.message)
    expect(ids(again)).toEqual(ids(first))
    // And not the ids of the chunk's rows' first occurrences, which chunk 0 sent.
    const earlier = new Set(ids(await deliver(chunks[0]!.message)))
    expect(first.filter((message) => earlier.has(message.messageId))).toEqual([])
  })

  it("leaves a keyed spec alone: no counts carried, the content ids of a synchronous run", async () => {
    const spec = { event: "Order", customerId: "id", key: ["id", "plan"] }
    const chunks = await split(spec)
    for (const chunk of chunks) expect(chunk.message.repeatsBefore).toBeUndefined()
    const queued = []
    for (const chunk of chunks) queued.push(...(await deliver(chunk.message)))
    expect(ids(queued)).toEqual(ids(await synchronous(spec)))
  })
})

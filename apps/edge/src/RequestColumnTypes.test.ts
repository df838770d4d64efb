import { PipelineOptions, SyncSpec } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { createApp } from "./App.ts"
import { nodePlatform } from "./node.ts"
import { decideRequestColumnTypes } from "./RequestColumnTypes.ts"
import { numberRows } from "./RequestRows.ts"
import { chunkHeader, chunkRows } from "./ChunkMessage.ts"
import { splitIntoChunks } from "./RunChunks.ts"
import { parseRunRequest } from "./RunRequest.ts"
import { runEdgeEffect } from "./EffectBridge.ts"
import { runRows } from "./RunSync.ts"
import { captureTransport } from "./testing/captureTransport.ts"
import { TestToken } from "./testing/rows.ts"

const capture = captureTransport

const env = { TABLECAST_TOKEN: TestToken, SEGMENT_WRITE_KEY: "test-write-key-0001", LOG_LEVEL: "silent" }

const post = async (body: string, contentType: string, query = "") => {
  const sink = capture()
  const app = createApp({ ...nodePlatform, transport: () => sink.layer })
  const response = await app.request(
    `/v1/runs${query}`,
    { method: "POST", headers: { authorization: `Bearer ${TestToken}`, "content-type": contentType }, body },
    env
  )
  return { response, report: (await response.json()) as any, messages: sink.messages }
}

const spec = { event: "Order", customerId: "id" }
const csvQuery = (extra: object = {}) => `?spec=${encodeURIComponent(JSON.stringify({ ...spec, ...extra }))}`
const monetary = ["1520.50", "210.00", "19.99", "4210.75"]

describe("the edge decides `auto` once per column, from the request's first rows", () => {
  it("sends a CSV body's monetary column as numbers in every message (1520.50 and 210.00 too)", async () => {
    const csv = `id,monetary\n${monetary.map((value, index) => `c${index},${value}`).join("\n")}\n`
    const { response, messages } = await post(csv, "text/csv", csvQuery())
    expect(response.status).toBe(200)
    expect(messages.map((message) => message.properties.monetary)).toEqual([1520.5, 210, 19.99, 4210.75])
  })

  it("sends a JSON body's monetary column, strings beside numbers, as numbers in every message", async () => {
    const rows = [
      { id: "c0", monetary: "1520.50" },
      { id: "c1", monetary: "210.00" },
      { id: "c2", monetary: 19.99 },
      { id: "c3", monetary: 4210.75 }
    ]
    const { response, messages } = await post(JSON.stringify({ spec, rows }), "application/json")
    expect(response.status).toBe(200)
    expect(messages.map((message) => message.properties.monetary)).toEqual([1520.5, 210, 19.99, 4210.75])
  })

  it("sends a JSON column of numbers and non-number strings as strings in every message", async () => {
    const rows = [
      { id: "c0", code: 12 },
      { id: "c1", code: "A-7" },
      { id: "c2", code: "13" }
    ]
    const { messages } = await post(JSON.stringify({ spec, rows }), "application/json")
    expect(messages.map((message) => message.properties.code)).toEqual(["12", "A-7", "13"])
  })

  it("rejects a later value that does not fit, naming the column and the type, never the value", async () => {
    const lines = Array.from({ length: 1_200 }, (_, index) => `c${index},${index === 1_100 ? "secret-ish" : `${index}.50`}`)
    const { response, report, messages } = await post(`id,amount\n${lines.join("\n")}\n`, "text/csv", csvQuery())
    expect(response.status).toBe(200)
    expect(report).toMatchObject({ rows: { read: 1_200, mapped: 1_199, rejected: 1 } })
    expect(report.rejects.sample).toEqual([
      {
        row: 1_101,
        stage: "validation",
        column: "amount",
        reason:
          'column "amount" is typed number (decided from the first 1000 rows); the value is not a number — declare "amount": "string" in spec.columns to send it as text'
      }
    ])
    expect(JSON.stringify(report)).not.toContain("secret-ish")
    expect(new Set(messages.map((message) => typeof message.properties.amount))).toEqual(new Set(["number"]))
  })

  it("keeps JSON booleans, objects and arrays as they came", async () => {
    const rows = [
      { id: "c0", active: true, address: { city: "Lyon" }, tags: ["a"], mixed: true },
      { id: "c1", active: false, address: { city: "Oslo", zip: "0150" }, tags: [], mixed: "12" }
    ]
    const { messages } = await post(JSON.stringify({ spec, rows }), "application/json")
    expect(messages.map((message) => message.properties)).toEqual([
      { active: true, address: { city: "Lyon" }, tags: ["a"], mixed: true },
      { active: false, address: { city: "Oslo", zip: "0150" }, tags: [], mixed: "12" }
    ])
  })

  it("lets the spec's declared types win, the `*` wildcard too", async () => {
    const csv = `id,monetary,count\nc0,1520.50,3\nc1,210.00,4\n`
    const named = await post(csv, "text/csv", csvQuery({ columns: { monetary: "string" } }))
    expect(named.messages.map((message) => message.properties)).toEqual([
      { monetary: "1520.50", count: 3 },
      { monetary: "210.00", count: 4 }
    ])
    const wildcard = await post(csv, "text/csv", csvQuery({ columns: { "*": "string" } }))
    expect(wildcard.messages.map((message) => message.properties)).toEqual([
      { monetary: "1520.50", count: "3" },
      { monetary: "210.00", count: "4" }
    ])
  })
})

describe("decideRequestColumnTypes", () => {
  it("judges only the first rows, as the CLI's CSV source does", () => {
    const rows = numberRows([...Array.from({ length: 5 }, () => ({ a: "1" })), { a: "x" }])
    expect(decideRequestColumnTypes(rows.items, "csv", ["a"], 5)).toEqual({ a: { type: "number", basis: "decided from the first 5 rows" } })
    expect(decideRequestColumnTypes(rows.items, "csv", ["a"], 6).a?.type).toBe("string")
  })

  it("decides JSON columns of one native type so that their values are unchanged", () => {
    const rows = numberRows([
      { n: 1, b: true, o: { x: 1 }, l: [1], s: "007", e: null },
      { n: 2.5, b: false, o: { y: 2 }, l: [], s: "8", e: null }
    ])
    const types = decideRequestColumnTypes(rows.items, "json")
    expect(Object.fromEntries(Object.entries(types).map(([name, decided]) => [name, decided.type]))).toEqual({
      n: "number",
      b: "boolean",
      o: "json",
      l: "array",
      s: "string",
      e: "json"
    })
  })
})

describe("a queued run", () => {
  it("carries the request's one decision with every chunk, so every chunk types alike", async () => {
    // The first chunk's rows make `code` a string column; later chunks alone would look numeric.
    const lines = Array.from({ length: 2_500 }, (_, index) => `c${index},${index === 3 ? "A-7" : String(index)}`)
    const request = await parseRunRequest(
      {
        contentType: "text/csv",
        contentLength: undefined,
        query: (name) => (name === "spec" ? JSON.stringify(spec) : undefined),
        header: () => undefined,
        body: () => new Response(`id,code\n${lines.join("\n")}\n`).body
      },
      { MAX_BODY_BYTES: 20_000_000, MAX_ROWS: 100_000, MAX_CELLS: 1_000_000 },
      false
    )
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
    const sink = capture()
    for (const chunk of chunks) {
      // As the consumer gets it: through the queue's JSON.
      const message = JSON.parse(JSON.stringify(chunk.message))
      expect(message.columnTypes.code).toEqual(chunks[0]!.message.columnTypes!.code)
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
    }
    expect(sink.messages).toHaveLength(2_500)
    expect(new Set(sink.messages.map((message) => typeof message.properties.code))).toEqual(new Set(["string"]))
  })
})

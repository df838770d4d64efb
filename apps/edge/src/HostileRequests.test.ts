import { describe, expect, inject, it } from "vitest"
import { createApp } from "./App.ts"
import { EdgeConfig, EdgeConfigError } from "./EdgeConfig.ts"
import { nodePlatform, startNodeServer } from "./node.ts"
import { endlessStream, withBytes } from "./testing/bodyStream.ts"
import { TestToken } from "./testing/rows.ts"
import { TestWriteKeys } from "./testing/sinkSetup.ts"

// Hostile requests through the app as the Node entry serves it (app.request, node:http transport).
const sinkUrl = inject("sinkUrl")
const env = { TABLECAST_TOKEN: TestToken, SEGMENT_WRITE_KEY: TestWriteKeys[0], SEGMENT_ENDPOINT: sinkUrl, LOG_LEVEL: "silent" }
const app = createApp(nodePlatform)
const auth = { authorization: `Bearer ${TestToken}` }
const spec = (name: string) => ({ name: `${name}-${crypto.randomUUID()}`, event: "Score", customerId: "id" })

const post = (body: BodyInit, headers: Record<string, string>, query = "", vars: Record<string, string> = {}) =>
  app.request(`/v1/runs${query}`, { method: "POST", headers: { ...auth, ...headers }, body, duplex: "half" } as RequestInit, { ...env, ...vars })

const postJson = (body: unknown) => post(typeof body === "string" ? body : JSON.stringify(body), { "content-type": "application/json" })

describe("bodies read as streams: limits hold while reading", () => {
  it("refuses a CSV body over the cell limit after reading only a part of it (413)", async () => {
    const body = endlessStream("id,a,b,c\n", "1,2,3,4\n".repeat(2_000))
    const response = await post(body.stream, { "content-type": "text/csv" }, `?spec=${encodeURIComponent(JSON.stringify(spec("cells")))}`, {
      MAX_CELLS: "100000"
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: "too-large", field: "rows" })
    expect(body.pulled()).toBeLessThan(1_000_000)
  })

  it("refuses a JSON body over the row limit after reading only a part of it (413)", async () => {
    const body = endlessStream(`{"spec":${JSON.stringify(spec("rows"))},"rows":[`, `{"id":"1","s":1},`.repeat(2_000))
    const response = await post(body.stream, { "content-type": "application/json" }, "", { MAX_ROWS: "5000" })
    expect(response.status).toBe(413)
    expect(body.pulled()).toBeLessThan(1_000_000)
  })
})

describe("a run that cannot be queued", () => {
  it("stops being read past SYNC_MAX_ROWS on Node, which has no queue (413)", async () => {
    const body = endlessStream(`{"spec":${JSON.stringify(spec("no-queue"))},"rows":[`, `{"id":"1","s":1},`.repeat(2_000))
    const response = await post(body.stream, { "content-type": "application/json" }, "", { SYNC_MAX_ROWS: "5000" })
    expect(response.status).toBe(413)
    expect(((await response.json()) as any).message).toMatch(/synchronous limit of 5000 rows, and this run cannot be queued/)
    expect(body.pulled()).toBeLessThan(500_000)
  })
})

describe("invalid UTF-8 is never replaced", () => {
  it("rejects the CSV row that holds it, naming the row and the column, and sends the others", async () => {
    const body = withBytes("id,name\n1,ok\n2,u@@1\n3,fine\n", [0xff, 0xfe])
    const response = await post(body, { "content-type": "text/csv" }, `?spec=${encodeURIComponent(JSON.stringify(spec("utf8-csv")))}`)
    expect(response.status).toBe(200)
    const report = (await response.json()) as any
    expect(report).toMatchObject({ rows: { read: 3, rejected: 1 }, messages: { accepted: 2 } })
    expect(report.rejects.sample).toEqual([{ row: 2, line: 3, stage: "source", reason: 'invalid UTF-8 in column "name"' }])
  })

  it("answers 400 naming the byte offset for a JSON body", async () => {
    const body = withBytes(`{"spec":${JSON.stringify(spec("utf8-json"))},"rows":[{"id":"u@@1"}]}`, [0xff, 0xfe])
    const response = await post(body, { "content-type": "application/json" })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: "bad-request", field: "body", message: `body: invalid UTF-8 at byte ${body.indexOf(0xff)}` })
  })

  it("refuses non-ASCII in X-Tablecast-Spec with 400 naming the header, and takes \\u escapes or ?spec=", async () => {
    const utf8AsLatin1 = String.fromCharCode(...new TextEncoder().encode(JSON.stringify({ ...spec("header"), event: "Café" })))
    const refused = await post("id\n1\n", { "content-type": "text/csv", "x-tablecast-spec": utf8AsLatin1 })
    expect(refused.status).toBe(400)
    const answer = (await refused.json()) as any
    expect(answer.field).toBe("header x-tablecast-spec")
    expect(answer.message).toMatch(/only ASCII/)

    const escaped = JSON.stringify({ ...spec("header"), event: "Café" }).replace("é", "\\u00e9")
    expect((await post("id\n1\n", { "content-type": "text/csv", "x-tablecast-spec": escaped })).status).toBe(200)
    const query = `?spec=${encodeURIComponent(JSON.stringify({ ...spec("query"), event: "Café" }))}`
    expect((await post("id\n1\n", { "content-type": "text/csv" }, query)).status).toBe(200)
  })

  it("refuses a ?spec= whose percent-encoding is not UTF-8, naming the parameter", async () => {
    const query = `?spec=${encodeURIComponent(JSON.stringify(spec("query"))).replace("Score", "Sc%FFore")}`
    const response = await post("id\n1\n", { "content-type": "text/csv" }, query)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: "bad-request", field: "spec", message: "spec: not valid percent-encoded UTF-8" })
  })
})

describe("nesting", () => {
  it("answers 400 for a row value nested 6,000 deep, never a run that ends early", async () => {
    const deep = `{"spec":${JSON.stringify(spec("deep"))},"rows":[{"id":"1"},{"id":"2","p":${"[".repeat(6_000)}${"]".repeat(6_000)}},{"id":"3"}]}`
    const response = await postJson(deep)
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).message).toMatch(/^rows: nested deeper than 64 levels \(at byte \d+\)$/)
  })

  it("answers 400, not 500, for a deeply nested spec.context, in a JSON body or in the header", async () => {
    const context = `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`
    const inBody = await postJson(`{"spec":${JSON.stringify(spec("context")).slice(0, -1)},"context":${context}},"rows":[{"id":"1"}]}`)
    expect(inBody.status).toBe(400)
    expect(((await inBody.json()) as any).message).toMatch(/^spec: nested deeper than 64 levels/)

    const header = JSON.stringify({ ...spec("context"), context: JSON.parse(`${'{"a":'.repeat(200)}1${"}".repeat(200)}`) })
    const inHeader = await post("id\n1\n", { "content-type": "text/csv", "x-tablecast-spec": header })
    expect(inHeader.status).toBe(400)
    expect(await inHeader.json()).toEqual({
      error: "bad-request",
      field: "header x-tablecast-spec",
      message: "header x-tablecast-spec: nested deeper than 64 levels"
    })
  })
})

describe("reject reasons name the column and the rule, never the value", () => {
  it("keeps a refused value out of the report", async () => {
    const response = await postJson({
      spec: { ...spec("reasons"), columns: { score: "number", seen: "timestamp" } },
      rows: [
        { id: "1", score: "secret-value-1", seen: "2026-01-01T00:00:00Z" },
        { id: "2", score: 1, seen: "secret-value-2 is not a date" }
      ]
    })
    const text = await response.text()
    expect(text).not.toContain("secret-value")
    const report = JSON.parse(text)
    expect(report.rejects.sample.map((reject: any) => [reject.row, reject.column, reject.reason])).toEqual([
      [1, "score", 'column "score": the value is not a number'],
      [2, "seen", 'column "seen": the value is not a timestamp']
    ])
  })
})

describe("configuration is checked at start-up", () => {
  it("refuses a token that a Bearer header cannot carry, naming the variable, not the value", async () => {
    const token = "a token with spaces and ü"
    expect(() => EdgeConfig.fromEnv({ TABLECAST_TOKEN: token })).toThrow(EdgeConfigError)
    const error = await startNodeServer({ port: 0, env: { ...env, TABLECAST_TOKEN: token } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EdgeConfigError)
    expect((error as Error).message).toMatch(/TABLECAST_TOKEN: the bearer token may hold only/)
    expect((error as Error).message).not.toContain(token)
  })

  it("refuses an endpoint URL that carries credentials, without echoing them", async () => {
    const endpoint = "https://user:hunter2-secret@rudder.example.com"
    const error = await startNodeServer({ port: 0, env: { ...env, SEGMENT_ENDPOINT: endpoint } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EdgeConfigError)
    expect((error as Error).message).toMatch(/SEGMENT_ENDPOINT: the endpoint must not hold credentials/)
    expect((error as Error).message).not.toContain("hunter2")
  })

  it("refuses to start without a token, and with a write key Basic auth cannot carry", async () => {
    const { TABLECAST_TOKEN: _, ...withoutToken } = env
    expect(await startNodeServer({ port: 0, env: withoutToken }).catch((e: unknown) => e)).toBeInstanceOf(EdgeConfigError)
    const error = await startNodeServer({ port: 0, env: { ...env, SEGMENT_WRITE_KEY: "key:with-colon" } }).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/SEGMENT_WRITE_KEY: the write key holds a colon/)
  })
})

describe("tracking plans that would loop or echo", () => {
  it("refuses a plan whose schema refers to itself without end (400), rather than overflowing on each message", async () => {
    const trackingPlan = { rules: [{ type: "TRACK", key: "Score", version: 1, jsonSchema: { $ref: "#" } }] }
    const response = await postJson({ spec: { ...spec("plan-loop"), trackingPlan }, rows: [{ id: "1" }] })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ field: "spec.trackingPlan.rules[0].jsonSchema" })
  })

  it("tells a violating value by its type, never the value, in reasons and the plan's report", async () => {
    const trackingPlan = {
      rules: [
        {
          type: "TRACK",
          key: "Score",
          version: 1,
          jsonSchema: { properties: { properties: { properties: { email: { format: "email", maxLength: 5 } } } } }
        }
      ]
    }
    for (const mode of ["reject", "warn"]) {
      const response = await postJson({
        spec: { ...spec("plan-echo"), trackingPlan, trackingPlanMode: mode },
        rows: [{ id: "1", email: "jane.doe-private@" }]
      })
      const text = await response.text()
      expect(text).toContain("properties.email: must NOT have more than 5 characters, got string")
      expect(text).not.toContain("jane.doe-private")
    }
  })
})

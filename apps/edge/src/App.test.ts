import { env, SELF } from "cloudflare:test"
import { afterEach, describe, expect, it, vi } from "vitest"
import { auth, callWorker, runRequest } from "./testing/edgeClient.ts"
import { scoreCsv, scoreRows, TestToken } from "./testing/rows.ts"

const spec = { name: "app-test", event: "Sales Prediction", customerId: "customer_id" }
const call = callWorker
const postRun = runRequest

/** Collects the Worker's log lines (and keeps them out of the test output). */
const captureLogs = (): Array<string> => {
  const lines: Array<string> = []
  vi.spyOn(console, "log").mockImplementation((line: unknown) => {
    lines.push(String(line))
  })
  return lines
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe("GET /health", () => {
  it("answers without a token and tells nothing about the deployment", async () => {
    const response = await SELF.fetch("http://edge.test/health")
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: "ok", service: "tablecast-edge", runtime: "workers" })
  })
})

describe("auth", () => {
  it("refuses a run without a token with 401", async () => {
    const response = await SELF.fetch("http://edge.test/v1/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ spec, rows: scoreRows(1) })
    })
    expect(response.status).toBe(401)
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/)
    expect(await response.json()).toMatchObject({ error: "unauthorized" })
  })

  it("refuses a wrong token, and one that is a prefix of the right one, with 401", async () => {
    for (const token of ["not-the-token-at-all-000", TestToken.slice(0, -1), `${TestToken}0`]) {
      const response = await SELF.fetch("http://edge.test/v1/runs/00000000-0000-4000-8000-000000000000", {
        headers: { authorization: `Bearer ${token}` }
      })
      expect(response.status).toBe(401)
    }
  })

  it("serves no one when the deployment has no token secret (503, fail closed)", async () => {
    const logs = captureLogs()
    const response = await call(postRun({ spec, rows: scoreRows(1) }), { TABLECAST_TOKEN: undefined })
    expect(response.status).toBe(503)
    expect(logs.map((line) => JSON.parse(line).event)).toContain("config.no-token")
  })

  it("answers 503 without echoing a misconfigured variable's value, and logs which variable", async () => {
    const logs = captureLogs()
    const response = await call(postRun({ spec, rows: scoreRows(1) }), { MAX_ROWS: "lots-and-lots" })
    expect(response.status).toBe(503)
    expect(await response.text()).not.toContain("lots-and-lots")
    expect(logs.join("\n")).toContain("MAX_ROWS")
    expect(logs.join("\n")).not.toContain("lots-and-lots")
  })
})

describe("validation", () => {
  const expectBadRequest = async (response: Response, field: string, message: RegExp) => {
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: string; field: string; message: string }
    expect(body.error).toBe("bad-request")
    expect(body.field).toBe(field)
    expect(body.message).toMatch(message)
  }

  it("names a spec field at fault", async () => {
    const response = await SELF.fetch(postRun({ spec: { customerId: "customer_id" }, rows: scoreRows(1) }))
    await expectBadRequest(response, "spec.event", /^spec\.event: a track sync needs an event name/)
  })

  it("refuses an incremental sync, which needs a state store the worker does not keep", async () => {
    const response = await SELF.fetch(postRun({ spec: { ...spec, key: ["customer_id"], incremental: { mode: "all" } }, rows: scoreRows(1) }))
    await expectBadRequest(response, "spec.incremental", /incremental syncs need a state store/)
  })

  it("refuses an incremental block in the same words whatever its settings (core's spec does not know them)", async () => {
    const response = await SELF.fetch(postRun({ spec: { ...spec, incremental: { mode: "sometimes" } }, rows: scoreRows(1) }))
    await expectBadRequest(response, "spec.incremental", /^spec\.incremental: incremental syncs need a state store/)
  })

  it("names an options field at fault", async () => {
    const response = await SELF.fetch(postRun({ spec, options: { batchCount: 0 }, rows: scoreRows(1) }))
    await expectBadRequest(response, "options.batchCount", /options\.batchCount/)
  })

  it("names rows that are not objects, and unknown top-level fields", async () => {
    await expectBadRequest(await SELF.fetch(postRun({ spec, rows: [{ a: 1 }, 42] })), "rows.1", /rows\.1: a row must be a JSON object/)
    await expectBadRequest(await SELF.fetch(postRun({ spec, rows: [], extra: true })), "body", /^body: .*extra/)
    await expectBadRequest(await SELF.fetch(postRun({ spec })), "rows", /^rows:/)
  })

  it("refuses a body that is not JSON, and an unknown media type", async () => {
    await expectBadRequest(await SELF.fetch(postRun("{not json")), "body", /not valid JSON/)
    const response = await SELF.fetch(postRun("a,b", { "content-type": "text/plain" }))
    expect(response.status).toBe(415)
  })

  it("names a CSV request's missing or broken spec", async () => {
    const csv = (headers: Record<string, string>, query = "") =>
      SELF.fetch(postRun(scoreCsv(2), { "content-type": "text/csv", ...headers }, query))
    await expectBadRequest(await csv({}), "spec", /needs its spec/)
    await expectBadRequest(await csv({ "x-tablecast-spec": "{oops" }), "header x-tablecast-spec", /not valid JSON/)
    await expectBadRequest(await csv({}, `?spec=${encodeURIComponent(JSON.stringify({ event: "E" }))}`), "spec.customerId", /customer id column/)
  })

  it("refuses a CSV whose spec names a column the header lacks, before queueing anything", async () => {
    const response = await SELF.fetch(
      postRun(scoreCsv(3), { "content-type": "text/csv", "x-tablecast-spec": JSON.stringify({ ...spec, customerId: "user" }) }, "?mode=queue")
    )
    await expectBadRequest(response, "spec", /"user"/)
  })

  it("refuses an unknown mode", async () => {
    await expectBadRequest(await SELF.fetch(postRun({ spec, rows: [] }, {}, "?mode=later")), "mode", /mode/)
  })
})

describe("limits", () => {
  it("answers 413 to a body over MAX_BODY_BYTES, declared by Content-Length", async () => {
    const body = JSON.stringify({ spec, rows: scoreRows(200) })
    const response = await call(postRun(body), { MAX_BODY_BYTES: "4096" })
    expect(body.length).toBeGreaterThan(4096)
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: "too-large", field: "body" })
  })

  it("answers 413 to a streamed body that grows over MAX_BODY_BYTES", async () => {
    const text = new TextEncoder().encode(JSON.stringify({ spec, rows: scoreRows(200) }))
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < text.length; offset += 1024) controller.enqueue(text.slice(offset, offset + 1024))
        controller.close()
      }
    })
    const request = new Request("http://edge.test/v1/runs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", "transfer-encoding": "chunked" },
      body: stream
    })
    expect(request.headers.get("content-length")).toBeNull()
    const response = await call(request, { MAX_BODY_BYTES: "4096" })
    expect(response.status).toBe(413)
  })

  it("answers 413 to more rows than MAX_ROWS", async () => {
    const response = await call(postRun({ spec, rows: scoreRows(11) }), { MAX_ROWS: "10" })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ field: "rows", message: expect.stringContaining("limit of 10 rows") })
  })

  it("answers 413 to mode=sync over the synchronous budget (rows, or rows × columns)", async () => {
    const overRows = await call(postRun({ spec, rows: scoreRows(11) }, {}, "?mode=sync"), { SYNC_MAX_ROWS: "10" })
    expect(overRows.status).toBe(413)
    const overCells = await call(postRun({ spec, rows: scoreRows(10) }, {}, "?mode=sync"), { SYNC_MAX_CELLS: "39" })
    expect(overCells.status).toBe(413)
    expect(await overCells.json()).toMatchObject({ message: expect.stringContaining("10 rows × 4 columns") })
  })

  it("answers 429 with Retry-After when the run-rate limiter says no", async () => {
    const limited = { RUN_LIMITER: env.TIGHT_LIMITER }
    const statuses: Array<number> = []
    let retryAfter: string | null = null
    for (let i = 0; i < 3; i++) {
      // Empty runs: the limiter counts requests, not rows.
      const response = await call(postRun({ spec: { ...spec, name: `limit-${i}` }, rows: [] }), limited)
      statuses.push(response.status)
      if (response.status === 429) retryAfter = response.headers.get("retry-after")
      await response.arrayBuffer()
    }
    expect(statuses[0]).toBe(200)
    expect(statuses).toContain(429)
    expect(Number(retryAfter)).toBeGreaterThan(0)
  })

  it("answers 429 with Retry-After when MAX_CONCURRENT_RUNS runs are in progress", async () => {
    const response = await call(postRun({ spec, rows: scoreRows(1) }), { MAX_CONCURRENT_RUNS: "0" })
    expect(response.status).toBe(429)
    expect(response.headers.get("retry-after")).toBe("2")
  })
})

describe("CORS", () => {
  const preflight = () =>
    new Request("http://edge.test/v1/runs", {
      method: "OPTIONS",
      headers: {
        origin: "https://scheduler.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type"
      }
    })

  it("is off unless configured", async () => {
    const response = await call(preflight())
    expect(response.headers.get("access-control-allow-origin")).toBeNull()
  })

  it("allows the configured origins only", async () => {
    const allowed = await call(preflight(), { CORS_ORIGINS: "https://scheduler.example, https://other.example" })
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://scheduler.example")
    const other = await call(new Request("http://edge.test/health", { headers: { origin: "https://evil.example" } }), {
      CORS_ORIGINS: "https://scheduler.example"
    })
    expect(other.headers.get("access-control-allow-origin")).toBeNull()
  })
})

describe("routes", () => {
  it("answers 404 to an unknown run and an unknown route", async () => {
    const run = await SELF.fetch("http://edge.test/v1/runs/00000000-0000-4000-8000-000000000000", { headers: auth })
    expect(run.status).toBe(404)
    const notAnId = await SELF.fetch("http://edge.test/v1/runs/..%2Fetc", { headers: auth })
    expect(notAnId.status).toBe(404)
    const route = await SELF.fetch("http://edge.test/v2/everything", { headers: auth })
    expect(route.status).toBe(404)
  })
})

describe("hostile bodies, in workerd", () => {
  const csvRun = (body: BodyInit, headers: Record<string, string> = {}, query = `?spec=${encodeURIComponent(JSON.stringify(spec))}`) =>
    new Request(`http://edge.test/v1/runs${query}`, { method: "POST", headers: { ...auth, "content-type": "text/csv", ...headers }, body })

  const bytesWith = (text: string, bad: ReadonlyArray<number>): Uint8Array => {
    const [before, after] = text.split("@@").map((part) => new TextEncoder().encode(part)) as [Uint8Array, Uint8Array]
    const out = new Uint8Array(before.length + bad.length + after.length)
    out.set(before, 0)
    out.set(bad, before.length)
    out.set(after, before.length + bad.length)
    return out
  }

  it("rejects a CSV row holding invalid UTF-8, naming its column, and sends the rest", async () => {
    const response = await SELF.fetch(csvRun(bytesWith("customer_id,name\nc-1,ok\nc-2,u@@1\n", [0xff, 0xfe])))
    expect(response.status).toBe(200)
    const report = (await response.json()) as any
    expect(report).toMatchObject({ rows: { read: 2, rejected: 1 }, messages: { accepted: 1 } })
    expect(report.rejects.sample[0]).toMatchObject({ row: 2, stage: "source", reason: 'invalid UTF-8 in column "name"' })
  })

  it("answers 400 naming the byte offset of invalid UTF-8 in a JSON body", async () => {
    const body = bytesWith(`{"spec":${JSON.stringify(spec)},"rows":[{"customer_id":"c@@1"}]}`, [0xc3, 0x28])
    const response = await SELF.fetch("http://edge.test/v1/runs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).message).toBe(`body: invalid UTF-8 at byte ${body.indexOf(0xc3)}`)
  })

  it("answers 400 to a value nested 6,000 deep and to a deep spec.context, never 500", async () => {
    const deepRow = `{"spec":${JSON.stringify(spec)},"rows":[{"customer_id":"c-1","p":${"[".repeat(6_000)}${"]".repeat(6_000)}}]}`
    const row = await SELF.fetch(postRun(deepRow))
    expect(row.status).toBe(400)
    expect(((await row.json()) as any).message).toMatch(/^rows: nested deeper than 64 levels/)
    const deepContext = `${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}`
    const context = await SELF.fetch(postRun(`{"spec":${JSON.stringify(spec).slice(0, -1)},"context":${deepContext}},"rows":[]}`))
    expect(context.status).toBe(400)
  })

  it("refuses non-ASCII in X-Tablecast-Spec with 400 naming the header", async () => {
    const latin1 = String.fromCharCode(...new TextEncoder().encode(JSON.stringify({ ...spec, event: "Café" })))
    const response = await SELF.fetch(csvRun("customer_id\nc-1\n", { "x-tablecast-spec": latin1 }, ""))
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ field: "header x-tablecast-spec", message: expect.stringMatching(/only ASCII/) })
  })

  it("stops reading a streamed CSV at the cell limit (413) without reading it whole", async () => {
    let pulled = 0
    const piece = new TextEncoder().encode("c-1,0.5,0.5,low\n".repeat(1_000))
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("customer_id,iphone,apple_watch,segment\n"))
      },
      pull(controller) {
        pulled += piece.length
        controller.enqueue(piece)
      }
    })
    const response = await call(csvRun(stream), { MAX_CELLS: "40000" })
    expect(response.status).toBe(413)
    expect(pulled).toBeLessThan(1_000_000)
  })

  it("refuses every request of a deployment whose token a Bearer header cannot carry, naming the variable", async () => {
    const logs = captureLogs()
    const response = await call(postRun({ spec, rows: scoreRows(1) }), { TABLECAST_TOKEN: "a token with spaces, sixteen+" })
    expect(response.status).toBe(503)
    const text = await response.text()
    expect(text).toContain("TABLECAST_TOKEN")
    expect(text).not.toContain("spaces")
    expect(logs.join("\n")).toMatch(/TABLECAST_TOKEN: the bearer token may hold only/)
  })
})

import { SELF } from "cloudflare:test"
import { afterEach, describe, expect, inject, it, vi } from "vitest"
import { auth, callWorker, runRequest } from "./testing/edgeClient.ts"
import { scoreCsv, scoreRows } from "./testing/rows.ts"
import { sinkDelta, sinkStats } from "./testing/sinkClient.ts"
import { TestWriteKeys } from "./testing/sinkSetup.ts"

const sinkUrl = inject("sinkUrl")
const uniqueSpec = (name: string) => ({
  name: `${name}-${crypto.randomUUID()}`,
  event: "Sales Prediction",
  customerId: "customer_id"
})

const postJson = (body: unknown, headers: Record<string, string> = {}) => SELF.fetch(runRequest(body, headers))
/** The same, with every log line on. */
const postJsonLogged = (body: unknown, headers: Record<string, string> = {}) => callWorker(runRequest(body, headers), { LOG_LEVEL: "debug" })

afterEach(() => {
  vi.restoreAllMocks()
})

describe("synchronous runs in workerd, against the local receiver", () => {
  it("delivers a 5,000-row JSON run exactly once per messageId and answers with the report", async () => {
    const before = await sinkStats(sinkUrl)
    // The small profile (100 per batch) through the request's options: 50 requests for 5,000 rows.
    const response = await postJson({ spec: uniqueSpec("json-5000"), options: { batchProfile: "small" }, rows: scoreRows(5_000) })
    expect(response.status).toBe(200)
    expect(response.headers.get("x-tablecast-outcome")).toBe("completed")
    const report = (await response.json()) as any
    expect(report).toMatchObject({
      outcome: "completed",
      rows: { read: 5_000, mapped: 5_000, rejected: 0 },
      messages: { built: 5_000, sent: 5_000, accepted: 5_000, refused: 0, undelivered: 0 },
      batches: { accepted: 50, refused: 0, undelivered: 0 }
    })
    expect(report.endpoint).toBe(`${sinkUrl}/v1/batch`)
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta).toEqual({ messagesAccepted: 5_000, uniqueMessageIds: 5_000, duplicateMessageIds: 0, droppedMessages: 0 })
  })

  it("delivers a CSV run once per messageId, reporting a malformed line by its row number", async () => {
    const lines = scoreCsv(1_200).split("\n")
    // Data row 37 loses a field: rejected alone, the other 1,199 go through.
    lines[37] = "c-37,0.5,0.25"
    const before = await sinkStats(sinkUrl)
    const spec = uniqueSpec("csv-1200")
    const response = await SELF.fetch(`http://edge.test/v1/runs?spec=${encodeURIComponent(JSON.stringify(spec))}`, {
      method: "POST",
      headers: { ...auth, "content-type": "text/csv; charset=utf-8" },
      body: lines.join("\r\n")
    })
    expect(response.status).toBe(200)
    const report = (await response.json()) as any
    expect(report.rows).toMatchObject({ read: 1_200, mapped: 1_199, rejected: 1 })
    expect(report.messages.accepted).toBe(1_199)
    expect(report.rejects.sample).toEqual([expect.objectContaining({ row: 37, stage: "source", reason: "expected 4 fields, found 3" })])
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta).toEqual({ messagesAccepted: 1_199, uniqueMessageIds: 1_199, duplicateMessageIds: 0, droppedMessages: 0 })
  })

  it("takes the spec of a CSV run from a header too, and typed columns from the spec", async () => {
    const spec = { ...uniqueSpec("csv-header"), columns: { iphone: "number" } }
    const response = await SELF.fetch("http://edge.test/v1/runs", {
      method: "POST",
      headers: { ...auth, "content-type": "text/csv", "x-tablecast-spec": JSON.stringify(spec) },
      body: scoreCsv(10)
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ outcome: "completed", messages: { accepted: 10 } })
  })

  it("sending the same rows again lands nothing new: messageIds are deterministic", async () => {
    const spec = uniqueSpec("rerun")
    const first = await postJson({ spec, rows: scoreRows(300) })
    expect(first.status).toBe(200)
    const before = await sinkStats(sinkUrl)
    const second = await postJson({ spec, rows: scoreRows(300) })
    expect(second.status).toBe(200)
    const delta = sinkDelta(before, await sinkStats(sinkUrl))
    expect(delta.uniqueMessageIds).toBe(0)
    expect(delta.duplicateMessageIds).toBe(300)
  })

  it("uses a per-request write key from X-Segment-Write-Key", async () => {
    const response = await postJson({ spec: uniqueSpec("header-key"), rows: scoreRows(20) }, { "x-segment-write-key": TestWriteKeys[1] })
    expect(response.status).toBe(200)
  })

  it("reports a write key the receiver refuses as a failed run (502), never quoting the key", async () => {
    const wrongKey = "wrong-write-key-4f1c9a"
    const logs: Array<string> = []
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      logs.push(String(line))
    })
    const response = await postJsonLogged({ spec: uniqueSpec("bad-key"), rows: scoreRows(50) }, { "x-segment-write-key": wrongKey })
    const text = await response.text()
    expect(response.status).toBe(502)
    const report = JSON.parse(text)
    expect(report.outcome).toBe("aborted")
    expect(report.fatal).toMatchObject({ kind: "auth", status: 401 })
    expect(report.messages.accepted).toBe(0)
    expect(text).not.toContain(wrongKey)
    expect(logs.length).toBeGreaterThan(0)
    expect(logs.join("\n")).not.toContain(wrongKey)
  })

  it("refuses a write key that cannot be sent (a colon) with 400, without quoting it, queued or not", async () => {
    for (const query of ["", "?mode=queue"]) {
      const response = await SELF.fetch(
        runRequest({ spec: uniqueSpec("colon-key"), rows: scoreRows(1) }, { "x-segment-write-key": "ab:cd" }, query)
      )
      expect(response.status).toBe(400)
      const text = await response.text()
      expect(text).toContain("colon")
      expect(text).not.toContain("ab:cd")
    }
  })

  it("logs each run as one JSON line of counts, without row values, ids or keys", async () => {
    const logs: Array<string> = []
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      logs.push(String(line))
    })
    const response = await postJsonLogged(
      { spec: uniqueSpec("logged"), rows: [{ customer_id: "person-8812@example.com", iphone: 0.5 }, { iphone: 0.7 }] },
      { "x-segment-write-key": TestWriteKeys[1] }
    )
    expect(response.status).toBe(200)
    const finished = logs.map((line) => JSON.parse(line)).find((entry) => entry.event === "run.finished")
    expect(finished).toMatchObject({
      level: "info",
      mode: "sync",
      format: "json",
      outcome: "completed",
      rowsRead: 2,
      rowsRejected: 1,
      messagesAccepted: 1
    })
    const all = logs.join("\n")
    expect(all).not.toContain("person-8812")
    expect(all).not.toContain(TestWriteKeys[1])
  })
})

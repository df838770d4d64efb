import { afterEach, describe, expect, it } from "vitest"
import { type Sink, startSink } from "./Sink.ts"

let sink: Sink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

const post = (url: string, writeKey: string, batch: ReadonlyArray<Record<string, unknown>>) =>
  fetch(`${url}/v1/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` },
    body: JSON.stringify({ batch })
  })

const track = (id: string) => ({ type: "track", userId: "162514333", event: "Churn Scored", messageId: id, properties: { churn_score: 0.734 } })

/** The samples of a Prometheus text exposition: `name{labels}` → value; every other line must be a comment. */
const samplesOf = (text: string): Map<string, number> => {
  const samples = new Map<string, number>()
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`)
    samples.set(match[1]!, Number(match[2]))
  }
  return samples
}

describe("GET /metrics", () => {
  it("answers the sink's counts in the Prometheus text format, the same as GET /stats", async () => {
    sink = await startSink({ writeKeys: ["wk_metrics_1"] })
    expect((await post(sink.url, "wk_metrics_1", [track("m1"), track("m2")])).status).toBe(200)
    expect((await post(sink.url, "wk_metrics_1", [track("m2"), track("m3"), track("m4")])).status).toBe(200)
    expect((await post(sink.url, "not-the-key", [track("m5")])).status).toBe(401)

    const response = await fetch(`${sink.url}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8")
    const text = await response.text()
    const samples = samplesOf(text)
    const stats = sink.stats()
    expect(stats.messagesAccepted).toBe(5)
    expect(samples.get("tablecast_sink_requests_total")).toBe(stats.requests)
    expect(samples.get("tablecast_sink_messages_accepted_total")).toBe(stats.messagesAccepted)
    expect(samples.get("tablecast_sink_batches_accepted_total")).toBe(stats.batchesAccepted)
    expect(samples.get("tablecast_sink_received_bytes_total")).toBe(stats.bytesReceived)
    expect(samples.get("tablecast_sink_duplicate_message_ids_total")).toBe(1)
    expect(samples.get("tablecast_sink_unique_message_ids")).toBe(4)
    expect(samples.get('tablecast_sink_refused_requests_total{status="401"}')).toBe(1)
    expect(samples.get('tablecast_sink_faults_total{kind="throttled"}')).toBe(0)
    expect(text).toContain("# TYPE tablecast_sink_requests_total counter")
    expect(text).toContain("# TYPE tablecast_sink_unique_message_ids gauge")
    // Counts only: no message content, user id or write key.
    for (const value of ["162514333", "0.734", "wk_metrics_1", "not-the-key"]) expect(text).not.toContain(value)

    // A scrape counts nothing itself: the next one sees the same requests.
    expect(samplesOf(await (await fetch(`${sink.url}/metrics`)).text()).get("tablecast_sink_requests_total")).toBe(stats.requests)
  })

  it("counts the faults the sink injected, by kind", async () => {
    sink = await startSink({ throttleShare: 1, retryAfterSeconds: 0 })
    for (const id of ["a", "b", "c"]) expect((await post(sink.url, "any", [track(id)])).status).toBe(429)
    const samples = samplesOf(await (await fetch(`${sink.url}/metrics`)).text())
    expect(samples.get('tablecast_sink_faults_total{kind="throttled"}')).toBe(3)
    expect(samples.get("tablecast_sink_messages_accepted_total")).toBe(0)
  })
})

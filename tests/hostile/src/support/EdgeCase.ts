import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import path from "node:path"
import type { DeliveryReport } from "@tablecast/core"
import type { HostileCase } from "./HostileTable.ts"
import { checkCase, type Violation } from "./Properties.ts"
import { LostAnswer, startReceiver, WRITE_KEY } from "./Receiver.ts"
import { csvBytes, jsonBody, specOf } from "./TableRender.ts"

export const EDGE_TOKEN = "hostile-suite-token-0123456789"

export type BodyFormat = "csv" | "json"

/** The edge's variables for a case: the receiver as the Segment endpoint, the case's client timeout. */
export const edgeEnv = (hostile: HostileCase, endpoint: string): Record<string, string> => ({
  TABLECAST_TOKEN: EDGE_TOKEN,
  SEGMENT_WRITE_KEY: WRITE_KEY,
  SEGMENT_ENDPOINT: endpoint,
  SEGMENT_GZIP: "false",
  LOG_LEVEL: "silent",
  ...(hostile.faults.lostAnswers ? { SEGMENT_TIMEOUT_MILLIS: String(LostAnswer.clientTimeoutMillis) } : {})
})

/** Pipeline options of a case's edge run: its batch size and attempts, with short backoffs. */
export const edgeOptions = (hostile: HostileCase): Record<string, unknown> => ({
  batchCount: hostile.batchCount,
  maxAttempts: hostile.faults.maxAttempts,
  backoffBaseMillis: 20,
  backoffCapMillis: 200
})

/** `POST /v1/runs` of a case, as CSV (spec and options in the query) or as a JSON body. */
export const runRequest = (hostile: HostileCase, baseUrl: string, format: BodyFormat): Request => {
  const headers = { authorization: `Bearer ${EDGE_TOKEN}`, "content-type": format === "csv" ? "text/csv" : "application/json" }
  if (format === "json") return new Request(`${baseUrl}/v1/runs`, { method: "POST", headers, body: jsonBody(hostile, edgeOptions(hostile)) })
  const query = new URLSearchParams({ spec: JSON.stringify(specOf(hostile)), options: JSON.stringify(edgeOptions(hostile)) })
  return new Request(`${baseUrl}/v1/runs?${query}`, { method: "POST", headers, body: csvBytes(hostile) })
}

/** Whether the documented answer to this body is 400 before anything is sent (invalid UTF-8 in a JSON body). */
export const refusedWhole = (hostile: HostileCase, format: BodyFormat): boolean =>
  format === "json" && hostile.rows.some((row) => row.cells.some((cell) => cell.invalidBytes !== undefined))

/**
 * Whether the body may be refused whole with 400 instead of run: a JSON body holding a value nested
 * past the edge's depth limit (issue #14: limits enforced while reading, bad nesting → 400). A run
 * that rejects the row instead is as good; either way nothing may be lost.
 */
export const mayRefuseWhole = (hostile: HostileCase, format: BodyFormat): boolean =>
  format === "json" && hostile.rows.some((row) => row.cells.some((cell) => cell.kind === "deep-json"))

/**
 * Runs one case through an edge (started by `startEdge` against the case's receiver, stopped after)
 * and checks its answer and the receiver. A JSON body with invalid UTF-8 must be answered 400 with
 * nothing sent (docs: the byte offset named); every other body is a run, checked like the CLI's.
 */
export const runEdgeCase = async (
  hostile: HostileCase,
  format: BodyFormat,
  startEdge: (
    env: Record<string, string>
  ) => Promise<{ readonly fetch: (request: Request) => Promise<Response>; readonly url: string; readonly close: () => Promise<void> }>
): Promise<Array<Violation>> => {
  const dir = await mkdtemp(path.join(tmpdir(), `tablecast-hostile-edge-${hostile.id}-`))
  try {
    const receiver = await startReceiver(hostile.faults, path.join(dir, "received.jsonl"))
    let status: number
    let text: string
    try {
      const edge = await startEdge(edgeEnv(hostile, receiver.url))
      try {
        const response = await edge.fetch(runRequest(hostile, edge.url, format))
        status = response.status
        text = await response.text()
      } finally {
        await edge.close()
      }
    } finally {
      await receiver.finish()
    }
    const stored = await receiver.finish()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (refusedWhole(hostile, format) || (mayRefuseWhole(hostile, format) && status === 400)) {
      const violations: Array<Violation> = []
      if (status !== 400)
        violations.push({
          property: "exit-code",
          detail: `a JSON body holding invalid UTF-8 answered HTTP ${status}, expected 400 naming the byte offset`
        })
      if (stored.requests.length > 0 || stored.received.length > 0) {
        violations.push({
          property: "rejects-justified",
          detail: `a JSON body refused with 400 must send nothing; ${stored.requests.length} batch(es) went out, ${stored.received.length} message(s) stored`
        })
      }
      if (status === 400 && !(typeof body === "object" && body !== null && "error" in body && "message" in body)) {
        violations.push({
          property: "exit-code",
          detail: `a 400 answer without the documented {error, field, message} body: ${text.slice(0, 200)}`
        })
      }
      if (text.includes(WRITE_KEY)) violations.push({ property: "no-secret", detail: "the write key appears in the answer" })
      return violations
    }
    const report = typeof body === "object" && body !== null && "rows" in body ? (body as DeliveryReport) : undefined
    return checkCase(hostile, {
      report,
      rejects: report?.rejects.sample ?? [],
      ...stored,
      outcome: { kind: "http", status },
      outputs: [text],
      writeKey: WRITE_KEY,
      csv: format === "csv"
    })
  } finally {
    if (process.env.TABLECAST_KEEP_WORKDIRS === undefined) await rm(dir, { recursive: true, force: true })
  }
}

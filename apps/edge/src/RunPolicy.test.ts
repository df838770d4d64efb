import { PipelineOptions, SyncSpec } from "@tablecast/core"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { EdgeConfig } from "./EdgeConfig.ts"
import { RequestError } from "./RequestError.ts"
import { numberRows } from "./RequestRows.ts"
import type { RunRequest } from "./RunRequest.ts"
import { checkBeforeQueueing, runModeOf, writeKeyFor } from "./RunPolicy.ts"
import { scoreRows } from "./testing/rows.ts"

const limits = EdgeConfig.fromEnv({ SYNC_MAX_ROWS: "10", SYNC_MAX_CELLS: "1000" }).limits

const request = (over: Partial<RunRequest> = {}): RunRequest => ({
  spec: SyncSpec.parse({ event: "Sales Prediction", customerId: "customer_id" }),
  options: PipelineOptions.parse({}),
  rows: numberRows(scoreRows(5)),
  format: "json",
  mode: "auto",
  writeKey: undefined,
  ...over
})

const refusal = (attempt: () => unknown): RequestError => {
  try {
    attempt()
  } catch (error) {
    if (error instanceof RequestError) return error
    throw error
  }
  throw new Error("expected a RequestError")
}

describe("runModeOf", () => {
  it("runs within the budget now, queues over it (auto) or when asked", () => {
    expect(runModeOf(request(), limits, true)).toBe("sync")
    expect(runModeOf(request({ rows: numberRows(scoreRows(11)) }), limits, true)).toBe("queue")
    expect(runModeOf(request({ mode: "queue" }), limits, true)).toBe("queue")
  })

  it("answers 413 when the rows need a queue the deployment lacks, or mode=sync is over the budget", () => {
    expect(refusal(() => runModeOf(request({ mode: "queue" }), limits, false))).toMatchObject({ status: 413, field: "rows" })
    const over = refusal(() => runModeOf(request({ mode: "sync", rows: numberRows(scoreRows(11)) }), limits, true))
    expect(over.message).toMatch(/^11 rows is over the synchronous limit of 10; send it with mode=queue/)
  })
})

describe("writeKeyFor and checkBeforeQueueing", () => {
  it("needs a write key from the request or the deployment", () => {
    const config = EdgeConfig.fromEnv({})
    expect(refusal(() => writeKeyFor(request(), config))).toMatchObject({ status: 400, field: "header x-segment-write-key" })
  })

  it("refuses, before queueing, a key the transport could not send and a header without the spec's columns", () => {
    const key = refusal(() => checkBeforeQueueing(request(), Redacted.make("ab:cd")))
    expect(key).toMatchObject({ status: 400, field: "writeKey", message: "writeKey: the write key holds a colon or a control character" })
    const csv = request({ format: "csv", rows: { items: [], columns: 1, names: ["user"] } })
    expect(refusal(() => checkBeforeQueueing(csv, Redacted.make("wk")))).toMatchObject({ status: 400, field: "spec" })
    expect(() => checkBeforeQueueing(request(), Redacted.make("wk"))).not.toThrow()
  })
})

import { describe, expect, it } from "vitest"
import { EdgeRetryMillis, parseRunRequest } from "./RunRequest.ts"

const jsonRun = (options?: unknown) => ({
  contentType: "application/json",
  contentLength: undefined,
  query: () => undefined,
  header: () => undefined,
  body: () =>
    new Response(
      JSON.stringify({
        spec: { event: "Scored", customerId: "customer_id" },
        ...(options === undefined ? {} : { options }),
        rows: [{ customer_id: "c1" }]
      })
    ).body
})

const limits = { MAX_ROWS: 10, MAX_BODY_BYTES: 1_000_000, MAX_CELLS: 1_000, SYNC_MAX_ROWS: 10 }

describe("the edge's retry budget", () => {
  it("is one minute per request unless the options set one (a request waits for its report)", async () => {
    expect(EdgeRetryMillis).toBe(60_000)
    expect((await parseRunRequest(jsonRun(), limits, false)).options.maxRetryMillis).toBe(60_000)
    expect((await parseRunRequest(jsonRun({ batchCount: 50 }), limits, false)).options).toMatchObject({
      batchCount: 50,
      maxRetryMillis: 60_000
    })
    expect((await parseRunRequest(jsonRun({ maxRetryMillis: 300_000 }), limits, false)).options.maxRetryMillis).toBe(300_000)
    expect((await parseRunRequest(jsonRun(), limits, false)).options.maxAttempts).toBeUndefined()
  })
})

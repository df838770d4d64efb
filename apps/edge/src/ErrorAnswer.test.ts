import type { DeliveryReport, FatalError } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { EdgeConfigError } from "./EdgeConfig.ts"
import { answerOfError, isEdgeError, statusOfReport } from "./ErrorAnswer.ts"
import { RequestError } from "./RequestError.ts"
import { TransportSetupError } from "./TransportSetupError.ts"

const kinds: ReadonlyArray<FatalError["kind"]> = [
  "auth",
  "unreachable",
  "spec",
  "source",
  "source-changed",
  "checkpoint",
  "interrupted",
  "max-rejects",
  "guard",
  "state",
  "internal",
  "unbalanced",
  "output"
]

const reportWith = (outcome: DeliveryReport["outcome"], fatal?: FatalError) =>
  ({ outcome, ...(fatal === undefined ? {} : { fatal }) }) as DeliveryReport

describe("answerOfError", () => {
  it("answers a refused request with its status, code, field and Retry-After", () => {
    expect(answerOfError(new RequestError({ status: 429, message: "retry later", retryAfterSeconds: 2 }))).toEqual({
      status: 429,
      body: { error: "too-many-requests", message: "retry later" },
      retryAfterSeconds: 2
    })
    const answer = answerOfError(new RequestError({ status: 413, field: "rows", message: "too many" }))
    expect(answer).toEqual({ status: 413, body: { error: "too-large", field: "rows", message: "too many" } })
    // The body's keys in the order the edge has always written them.
    expect(JSON.stringify(answer.body)).toBe('{"error":"too-large","field":"rows","message":"too many"}')
  })

  it("answers a misconfigured deployment with 503 naming the variables, never their values", () => {
    const error = new EdgeConfigError({ message: "invalid configuration:\nMAX_ROWS: too small", variables: ["MAX_ROWS", "LOG_LEVEL"] })
    expect(answerOfError(error)).toEqual({
      status: 503,
      body: { error: "unavailable", message: "this deployment is misconfigured (MAX_ROWS, LOG_LEVEL); see its logs" }
    })
    expect(answerOfError(new EdgeConfigError({ message: "x", variables: [] })).body.message).toBe("this deployment is misconfigured; see its logs")
  })

  it("answers a transport that cannot be set up as the write key's fault", () => {
    expect(answerOfError(new TransportSetupError({ message: "writeKey: must not contain ':'" }))).toEqual({
      status: 400,
      body: { error: "bad-request", field: "writeKey", message: "writeKey: must not contain ':'" }
    })
  })

  it("knows the edge's errors and nothing else", () => {
    expect(isEdgeError(new RequestError({ status: 400, message: "" }))).toBe(true)
    expect(isEdgeError(new EdgeConfigError({ message: "", variables: [] }))).toBe(true)
    expect(isEdgeError(new TransportSetupError({ message: "" }))).toBe(true)
    expect(isEdgeError(new Error("other"))).toBe(false)
    expect(isEdgeError({ _tag: "RequestError", status: 400, message: "" })).toBe(false)
  })
})

describe("statusOfReport", () => {
  it("answers a completed run 200, a spec the rows do not fit 400, every other stop 502", () => {
    expect(statusOfReport(reportWith("completed"))).toBe(200)
    expect(statusOfReport(reportWith("incomplete"))).toBe(502)
    for (const kind of kinds) {
      expect(statusOfReport(reportWith("aborted", { kind, message: "why" }))).toBe(kind === "spec" ? 400 : 502)
    }
  })
})

import { describe, expect, it } from "vitest"
import { classifyStatus, errorForAnswer, parseRetryAfter, trimErrorBody } from "./ResponseClassification.ts"

describe("classifyStatus", () => {
  it.each([
    [200, { kind: "accepted" }],
    [201, { kind: "accepted" }],
    [299, { kind: "accepted" }],
    [301, { kind: "rejected", retryable: false }],
    [400, { kind: "rejected", retryable: false }],
    [401, { kind: "auth", retryable: false }],
    [403, { kind: "auth", retryable: false }],
    [404, { kind: "rejected", retryable: false }],
    [405, { kind: "rejected", retryable: false }],
    [408, { kind: "server", retryable: true }],
    [409, { kind: "rejected", retryable: false }],
    [413, { kind: "rejected", retryable: false }],
    [422, { kind: "rejected", retryable: false }],
    [429, { kind: "throttled", retryable: true }],
    [500, { kind: "server", retryable: true }],
    [501, { kind: "rejected", retryable: false }],
    [502, { kind: "server", retryable: true }],
    [503, { kind: "server", retryable: true }],
    [504, { kind: "server", retryable: true }],
    [505, { kind: "rejected", retryable: false }],
    [520, { kind: "server", retryable: true }],
    [599, { kind: "server", retryable: true }]
  ])("%i → %j", (status, expected) => {
    expect(classifyStatus(status)).toEqual(expected)
  })
})

describe("parseRetryAfter", () => {
  const now = Date.UTC(2025, 5, 1, 12, 0, 0)

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0)
    expect(parseRetryAfter("7", now)).toBe(7_000)
    expect(parseRetryAfter(" 1.5 ", now)).toBe(1_500)
  })

  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfter(new Date(now + 45_000).toUTCString(), now)).toBe(45_000)
    expect(parseRetryAfter("Sun, 01 Jun 2025 12:02:00 GMT", now)).toBe(120_000)
    expect(parseRetryAfter(new Date(now - 60_000).toUTCString(), now)).toBe(0)
  })

  it("caps at 300 s", () => {
    expect(parseRetryAfter("301", now)).toBe(300_000)
    expect(parseRetryAfter(new Date(now + 3_600_000).toUTCString(), now)).toBe(300_000)
    expect(parseRetryAfter("10", now, 5_000)).toBe(5_000)
  })

  it("ignores what it cannot read", () => {
    for (const value of [undefined, null, "", "soon", "-5", "1e3", "12abc"]) {
      expect(parseRetryAfter(value, now), String(value)).toBeUndefined()
    }
  })
})

describe("trimErrorBody", () => {
  it("takes the message of a JSON body", () => {
    expect(trimErrorBody('{"success":false,"message":"Invalid  writeKey"}')).toBe("Invalid writeKey")
    expect(trimErrorBody('{"error":"rate limited"}')).toBe("rate limited")
  })

  it("strips tags, collapses whitespace and cuts long text", () => {
    expect(trimErrorBody("<html><h1>502\nBad Gateway</h1></html>")).toBe("502 Bad Gateway")
    const trimmed = trimErrorBody("word ".repeat(100))
    expect(trimmed).toHaveLength(200)
    expect(trimmed.endsWith("…")).toBe(true)
    expect(trimErrorBody("")).toBe("")
  })
})

describe("errorForAnswer", () => {
  it("is undefined for a 2xx", () => {
    expect(errorForAnswer({ status: 200, body: '{"success":true}' }, 0)).toBeUndefined()
  })

  it("builds a classified error with the endpoint's message and, when retryable, its Retry-After", () => {
    const throttled = errorForAnswer({ status: 429, retryAfter: "2", body: '{"message":"slow down"}' }, 0)
    expect(throttled).toMatchObject({
      _tag: "TransportError",
      kind: "throttled",
      retryable: true,
      status: 429,
      retryAfterMillis: 2_000,
      message: "slow down"
    })
    const rejected = errorForAnswer({ status: 413, retryAfter: "2", body: "" }, 0)
    // Without a message of its own, the status says it all: the pipeline names it once.
    expect(rejected).toMatchObject({ kind: "rejected", retryable: false, status: 413, message: "" })
    expect(rejected?.retryAfterMillis).toBeUndefined()
    expect(errorForAnswer({ status: 401, body: "" }, 0)?.message).toBe("the write key was refused")
    // The status is never in the message: the pipeline names it once (no "HTTP 401 … HTTP 401").
    expect(errorForAnswer({ status: 401, body: '{"message":"unknown write key"}' }, 0)?.message).toBe("unknown write key")
    expect(errorForAnswer({ status: 301, body: "" }, 0)?.message).toMatch(/give its final URL/)
  })
})

import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { SegmentTransportOptions } from "./SegmentTransportOptions.ts"

const secret = "wk_DO_NOT_PRINT_7731"
const writeKey = Redacted.make(secret)

describe("SegmentTransportOptions", () => {
  it("defaults to no gzip, a 10 s timeout and 8 connections", () => {
    const options = SegmentTransportOptions.parse({ writeKey })
    expect(options).toMatchObject({ gzip: false, timeoutMillis: 10_000, connections: 8 })
    expect(options.region).toBeUndefined()
    expect(options.endpoint).toBeUndefined()
  })

  it.each([
    [{ writeKey: secret }, /wrapped in Redacted/],
    [{ writeKey: Redacted.make("   ") }, /empty/],
    [{ writeKey: Redacted.make(`${secret}:x`) }, /colon/],
    [{ writeKey: Redacted.make(`${secret}\n`) }, /control character/],
    [{ writeKey, region: "ap" }, /region/],
    [{ writeKey, endpoint: "not a url" }, /absolute URL/],
    [{ writeKey, region: "us", endpoint: "http://127.0.0.1:1" }, /not both/],
    [{ writeKey, timeoutMillis: 0 }, /timeoutMillis|>=1/],
    [{ writeKey, connections: 0 }, /connections|>=1/],
    [{ writeKey, retries: 3 }, /retries|Unrecognized/]
  ])("refuses %#, never quoting the key", (input, reason) => {
    const result = SegmentTransportOptions.safeParse(input)
    expect(result.success).toBe(false)
    const text = JSON.stringify(result.error?.issues)
    expect(text).toMatch(reason)
    expect(text).not.toContain(secret)
  })
})

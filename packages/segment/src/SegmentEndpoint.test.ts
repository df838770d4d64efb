import { describe, expect, it } from "vitest"
import { endpointProblem, resolveEndpoint } from "./SegmentEndpoint.ts"

describe("resolveEndpoint", () => {
  it("defaults to the US region, and knows the EU one", () => {
    expect(resolveEndpoint({})).toEqual({
      origin: "https://api.segment.io",
      path: "/v1/batch",
      url: "https://api.segment.io/v1/batch"
    })
    expect(resolveEndpoint({ region: "eu" }).url).toBe("https://events.eu1.segmentapis.com/v1/batch")
  })

  it("adds /v1/batch to a custom base, keeping its path prefix, unless it is already there", () => {
    expect(resolveEndpoint({ endpoint: "http://127.0.0.1:14318" }).url).toBe("http://127.0.0.1:14318/v1/batch")
    expect(resolveEndpoint({ endpoint: "https://hosted.rudderlabs.com/" }).url).toBe("https://hosted.rudderlabs.com/v1/batch")
    expect(resolveEndpoint({ endpoint: "https://collect.example/segment/" })).toEqual({
      origin: "https://collect.example",
      path: "/segment/v1/batch",
      url: "https://collect.example/segment/v1/batch"
    })
    expect(resolveEndpoint({ endpoint: "https://collect.example/v1/batch" }).path).toBe("/v1/batch")
  })
})

describe("endpointProblem", () => {
  it("accepts http and https URLs", () => {
    expect(endpointProblem("https://api.segment.io")).toBeUndefined()
    expect(endpointProblem("http://[::1]:8080/")).toBeUndefined()
  })

  it.each([
    ["api.segment.io", /absolute URL/],
    ["ftp://api.segment.io", /http:\/\/ or https:\/\//],
    ["https://key:@api.segment.io", /must not hold credentials/],
    ["https://api.segment.io/?writeKey=x", /query or a fragment/],
    ["https://api.segment.io/#x", /query or a fragment/]
  ])("refuses %s", (url, reason) => {
    expect(endpointProblem(url)).toMatch(reason)
  })
})

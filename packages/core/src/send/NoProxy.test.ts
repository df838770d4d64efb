import { describe, expect, it } from "vitest"
import { bypassesProxy } from "./NoProxy.ts"

describe("bypassesProxy (NO_PROXY)", () => {
  it("matches a host and its subdomains, written bare, with a leading dot or with *.", () => {
    for (const entry of ["segment.io", ".segment.io", "*.segment.io"]) {
      expect(bypassesProxy(entry, "api.segment.io", "443")).toBe(true)
      expect(bypassesProxy(entry, "segment.io", "443")).toBe(true)
      expect(bypassesProxy(entry, "notsegment.io", "443")).toBe(false)
    }
  })

  it("exempts every host with *, and none with an empty list", () => {
    expect(bypassesProxy("*", "api.segment.io", "443")).toBe(true)
    expect(bypassesProxy("", "api.segment.io", "443")).toBe(false)
    expect(bypassesProxy(undefined, "api.segment.io", "443")).toBe(false)
  })

  it("honours a port when the entry names one", () => {
    expect(bypassesProxy("rudder.corp:8080", "rudder.corp", "8080")).toBe(true)
    expect(bypassesProxy("rudder.corp:8080", "rudder.corp", "443")).toBe(false)
  })

  it("reads lists separated by commas or spaces, in any case", () => {
    expect(bypassesProxy("internal.corp, API.Segment.io other.corp", "api.segment.io", "443")).toBe(true)
  })

  it("exempts loopback only when named: IPv4, localhost, IPv6 bare or bracketed, with or without a port", () => {
    expect(bypassesProxy("internal.corp", "127.0.0.1", "14318")).toBe(false)
    expect(bypassesProxy("localhost,127.0.0.1,::1", "127.0.0.1", "14318")).toBe(true)
    expect(bypassesProxy("localhost", "localhost", "14318")).toBe(true)
    expect(bypassesProxy("::1", "[::1]", "14318")).toBe(true)
    expect(bypassesProxy("[::1]:14318", "[::1]", "14318")).toBe(true)
    expect(bypassesProxy("[::1]:14318", "[::1]", "9000")).toBe(false)
    expect(bypassesProxy("127.0.0.1:14318", "127.0.0.1", "14318")).toBe(true)
  })
})

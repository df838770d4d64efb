import { describe, expect, it } from "vitest"
import { proxyFor } from "./ProxySettings.ts"

describe("proxyFor", () => {
  it("takes HTTPS_PROXY for an https endpoint (HTTP_PROXY when it is not set), HTTP_PROXY for http; lower case first", () => {
    expect(proxyFor("https://api.segment.io/v1/batch", { HTTPS_PROXY: "http://proxy.corp:3128" })?.display).toBe("http://proxy.corp:3128")
    expect(proxyFor("https://api.segment.io/v1/batch", { HTTP_PROXY: "http://plain.corp:8080" })?.display).toBe("http://plain.corp:8080")
    expect(proxyFor("http://10.0.0.9/v1/batch", { HTTPS_PROXY: "http://proxy.corp:3128" })).toBeUndefined()
    expect(proxyFor("http://10.0.0.9/v1/batch", { http_proxy: "http://lower:1", HTTP_PROXY: "http://upper:2" })?.display).toBe("http://lower:1")
    expect(proxyFor("https://api.segment.io/v1/batch", {})).toBeUndefined()
    expect(proxyFor("https://api.segment.io/v1/batch", { HTTPS_PROXY: "  " })).toBeUndefined()
  })

  it("takes a bare host:port as http://, and refuses a proxy URL it cannot use without printing it", () => {
    expect(proxyFor("https://api.segment.io/v1/batch", { HTTPS_PROXY: "proxy.corp:3128" })?.url).toBe("http://proxy.corp:3128/")
    expect(() => proxyFor("https://api.segment.io/v1/batch", { HTTPS_PROXY: "socks5://u:hunter22@proxy:1080" })).toThrow(
      /http:\/\/ or https:\/\/ URL, not socks5:\/\/$/
    )
    expect(() => proxyFor("https://api.segment.io/v1/batch", { HTTPS_PROXY: "http://u:hunter22@[bad" })).toThrow(/^HTTPS_PROXY is not a URL/)
  })

  it("names the proxy without its credentials, and keeps them (decoded too) to scrub", () => {
    const proxy = proxyFor("https://api.segment.io/v1/batch", { HTTPS_PROXY: "http://svc-user:p%40ss%3Aword@proxy.corp:3128/" })
    expect(proxy?.display).toBe("http://proxy.corp:3128")
    expect(proxy?.secrets).toEqual(expect.arrayContaining(["svc-user", "p%40ss%3Aword", "p@ss:word"]))
  })

  it("goes direct where NO_PROXY says so", () => {
    const env = { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "segment.io" }
    expect(proxyFor("https://api.segment.io/v1/batch", env)).toBeUndefined()
    expect(proxyFor("https://events.eu1.segmentapis.com/v1/batch", env)).toBeDefined()
    expect(proxyFor("https://api.segment.io/v1/batch", { ...env, NO_PROXY: undefined, no_proxy: "api.segment.io:443" })).toBeUndefined()
  })
})

import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { EdgeConfig, EdgeConfigError } from "./EdgeConfig.ts"

describe("EdgeConfig.fromEnv", () => {
  it("fills defaults and keeps secrets redacted", () => {
    const config = EdgeConfig.fromEnv({ TABLECAST_TOKEN: "a-token-of-sixteen-chars", SEGMENT_WRITE_KEY: "wk" })
    expect(config.target).toEqual({ region: "us" })
    expect(config.limits).toMatchObject({ MAX_ROWS: 250_000, SYNC_MAX_ROWS: 10_000, CHUNK_MAX_BYTES: 96_000 })
    expect(config.corsOrigins).toEqual([])
    expect(String(config.writeKey)).not.toContain("wk")
    expect(config.token === undefined ? undefined : Redacted.value(config.token)).toBe("a-token-of-sixteen-chars")
  })

  it("takes an endpoint over the region, and CORS origins as a list", () => {
    const config = EdgeConfig.fromEnv({
      SEGMENT_REGION: "eu",
      SEGMENT_ENDPOINT: "http://127.0.0.1:14318",
      CORS_ORIGINS: " https://a.example ,https://b.example,"
    })
    expect(config.target).toEqual({ endpoint: "http://127.0.0.1:14318" })
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"])
  })

  it("names the variables at fault, never their values", () => {
    const attempt = () => EdgeConfig.fromEnv({ TABLECAST_TOKEN: "short-secret", SYNC_MAX_ROWS: "-4", SEGMENT_REGION: "mars" })
    expect(attempt).toThrow(EdgeConfigError)
    try {
      attempt()
    } catch (error) {
      const message = (error as Error).message
      expect(message).toMatch(/TABLECAST_TOKEN/)
      expect(message).toMatch(/SYNC_MAX_ROWS/)
      expect(message).toMatch(/SEGMENT_REGION/)
      expect(message).not.toContain("short-secret")
    }
  })

  it("checks SEGMENT_WRITE_KEY with the transport's own check, at start-up; a blank one is unset", () => {
    for (const key of ["key:with-colon", "key\u0007bell"]) {
      const attempt = () => EdgeConfig.fromEnv({ SEGMENT_WRITE_KEY: key })
      expect(attempt).toThrow(EdgeConfigError)
      expect(attempt).toThrow(/SEGMENT_WRITE_KEY: the write key holds a colon or a control character/)
    }
    expect(EdgeConfig.fromEnv({ SEGMENT_WRITE_KEY: "   " }).writeKey).toBeUndefined()
  })

  it("ignores bindings that are not variables (queues, Durable Objects)", () => {
    const config = EdgeConfig.fromEnv({ RUN_CHUNKS: { send: () => undefined }, MAX_ROWS: "12" })
    expect(config.limits.MAX_ROWS).toBe(12)
  })
})

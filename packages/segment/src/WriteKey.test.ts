import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { basicAuthorization, scrubWriteKey } from "./WriteKey.ts"

describe("basicAuthorization", () => {
  it("is Basic base64(writeKey + ':'), as Node's Buffer encodes it", () => {
    for (const key of ["wk_abc123", "clé-ünïcode"]) {
      expect(basicAuthorization(Redacted.make(key))).toBe(`Basic ${Buffer.from(`${key}:`).toString("base64")}`)
    }
  })
})

describe("scrubWriteKey", () => {
  it("removes the key and its Basic credentials from a text", () => {
    const key = Redacted.make("wk_secret_42")
    const credentials = Buffer.from("wk_secret_42:").toString("base64")
    expect(scrubWriteKey(`bad key wk_secret_42 (Basic ${credentials})`, key)).toBe(
      "bad key [redacted] (Basic [redacted])"
    )
    expect(scrubWriteKey("nothing here", key)).toBe("nothing here")
  })
})

import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { basicAuthorization, scrubWriteKey, writeKeyProblem } from "./WriteKey.ts"

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
    expect(scrubWriteKey(`bad key wk_secret_42 (Basic ${credentials})`, key)).toBe("bad key [redacted] (Basic [redacted])")
    expect(scrubWriteKey("nothing here", key)).toBe("nothing here")
  })
})

describe("writeKeyProblem", () => {
  it("passes a key Basic auth can carry", () => {
    expect(writeKeyProblem(Redacted.make("wk_abc-123.XYZ"))).toBeUndefined()
  })

  it("names what is wrong without quoting the key", () => {
    expect(writeKeyProblem(Redacted.make("  "))).toBe("the write key is empty")
    for (const key of ["ab:cd", "ab\ncd", "ab\u007fcd"]) {
      const problem = writeKeyProblem(Redacted.make(key))
      expect(problem).toBe("the write key holds a colon or a control character")
      expect(problem).not.toContain(key)
    }
    expect(writeKeyProblem("wk_plain")).toMatch(/wrapped in Redacted/)
  })
})

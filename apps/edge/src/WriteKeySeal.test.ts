import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { openWriteKey, sealWriteKey } from "./WriteKeySeal.ts"

const secret = Redacted.make("edge-test-token-0123456789")
const writeKey = Redacted.make("segment-write-key-9f3a")

describe("sealWriteKey / openWriteKey", () => {
  it("opens what it sealed, for the same run and secret only", async () => {
    const sealed = await sealWriteKey(writeKey, secret, "run-a")
    expect(JSON.stringify(sealed)).not.toContain("segment-write-key")
    const opened = await openWriteKey(sealed, secret, "run-a")
    expect(opened === undefined ? undefined : Redacted.value(opened)).toBe("segment-write-key-9f3a")
    expect(await openWriteKey(sealed, secret, "run-b")).toBeUndefined()
    expect(await openWriteKey(sealed, Redacted.make("another-token-0123456789"), "run-a")).toBeUndefined()
  })

  it("seals the same key differently each time, and refuses a tampered seal", async () => {
    const first = await sealWriteKey(writeKey, secret, "run-a")
    const second = await sealWriteKey(writeKey, secret, "run-a")
    expect(first.sealed).not.toBe(second.sealed)
    const flipped = first.sealed.slice(0, -2) + (first.sealed.endsWith("A") ? "BA" : "AA")
    expect(await openWriteKey({ v: 1, sealed: flipped }, secret, "run-a")).toBeUndefined()
  })
})

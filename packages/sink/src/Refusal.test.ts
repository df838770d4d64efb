import { describe, expect, it } from "vitest"
import { Refusal, refusalOf } from "./Refusal.ts"
import { BodyError } from "./RequestBody.ts"

describe("refusalOf", () => {
  it("keeps a refusal as it is, headers included", () => {
    const refusal = new Refusal({ status: 405, message: "use POST", headers: { allow: "POST" } })
    expect(refusalOf(refusal)).toBe(refusal)
  })

  it("answers a body it could not decode with the body error's status and message", () => {
    const refusal = refusalOf(new BodyError({ status: 415, message: 'unsupported Content-Encoding "br"' }))
    expect(refusal).toMatchObject({ _tag: "Refusal", status: 415, message: 'unsupported Content-Encoding "br"' })
    expect(refusal.headers).toBeUndefined()
  })

  it("answers anything else as a sink failure (500)", () => {
    expect(refusalOf(new Error("disk full"))).toMatchObject({ status: 500, message: "sink failure: disk full" })
    expect(refusalOf("odd")).toMatchObject({ status: 500, message: "sink failure: odd" })
  })
})

import { describe, expect, it } from "vitest"
import { reasonWithoutValue } from "./RejectReason.ts"

describe("reasonWithoutValue", () => {
  it("keeps a decided column's type and basis, drops the value, and names the spec's way out", () => {
    const basis = 'column "amount" is typed number (decided from the first 1000 rows); '
    expect(reasonWithoutValue({ column: "amount", reason: `${basis}"4111 1111" is not a number — use --column amount=string to send it as text` })).toBe(
      `${basis}the value is not a number — declare "amount": "string" in spec.columns to send it as text`
    )
    expect(
      reasonWithoutValue({
        column: "amount",
        reason: `${basis}"12345678901234567890" has more digits than a JSON number carries exactly — use --column amount=string to send it as text`
      })
    ).toBe(`${basis}the value has more digits than a JSON number carries exactly — declare "amount": "string" in spec.columns to send it as text`)
  })

  it("never keeps a value it cannot place", () => {
    const reason = reasonWithoutValue({ column: "a", reason: 'column "a" is typed number (odd (basis)); "secret" is not a number' })
    expect(reason).not.toContain("secret")
    expect(reason).toBe(`column "a": the value does not fit the column's type`)
  })
})

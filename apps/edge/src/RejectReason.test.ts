import type { DeliveryReport } from "@tablecast/core"
import { describe, expect, it } from "vitest"
import { reasonWithoutValue, reportWithoutValues } from "./RejectReason.ts"

const basis = "decided from the first 1000 rows"

describe("reasonWithoutValue", () => {
  it("keeps a decided column's type and basis, drops the value, and names the spec's way out", () => {
    expect(
      reasonWithoutValue({
        column: "amount",
        reason: `column "amount" is typed number (${basis}); "4111 1111" is not a number — use --column amount=string to send it as text`,
        rule: { broken: "is not a number", decided: { type: "number", basis } }
      })
    ).toBe(`column "amount" is typed number (${basis}); the value is not a number — declare "amount": "string" in spec.columns to send it as text`)
    expect(
      reasonWithoutValue({
        column: "amount",
        reason: `column "amount" is typed number (${basis}); "12345678901234567890" has more digits than a JSON number carries exactly — use --column amount=string to send it as text`,
        rule: { broken: "has more digits than a JSON number carries exactly", decided: { type: "number", basis } }
      })
    ).toBe(
      `column "amount" is typed number (${basis}); the value has more digits than a JSON number carries exactly — declare "amount": "string" in spec.columns to send it as text`
    )
  })

  it("tells a declared column's rule without the value", () => {
    const reason = reasonWithoutValue({ column: "score", reason: 'column "score": "secret" is not a number', rule: { broken: "is not a number" } })
    expect(reason).toBe('column "score": the value is not a number')
    expect(reason).not.toContain("secret")
  })

  it("passes a reason that quotes no value unchanged", () => {
    expect(reasonWithoutValue({ column: "customer_id", reason: 'customer id column "customer_id" is empty' })).toBe(
      'customer id column "customer_id" is empty'
    )
    expect(reasonWithoutValue({ reason: "expected 4 fields, found 5" })).toBe("expected 4 fields, found 5")
  })
})

describe("reportWithoutValues", () => {
  it("answers the sample without values and without the core's rule beside the reason", () => {
    const report = {
      rejects: {
        total: 1,
        byStage: { source: 0, validation: 1, "batch-refused": 0, undelivered: 0 },
        sample: [
          { row: 3, stage: "validation", column: "score", reason: 'column "score": "secret" is not a number', rule: { broken: "is not a number" } }
        ]
      }
    } as unknown as DeliveryReport
    expect(reportWithoutValues(report).rejects.sample).toEqual([
      { row: 3, stage: "validation", column: "score", reason: 'column "score": the value is not a number' }
    ])
  })
})

import { describe, expect, it } from "vitest"
import type { ColumnTypes } from "./ColumnTyping.ts"
import { compileMapper } from "./MessageMapper.ts"
import { type ColumnType, SyncSpec, type SyncSpecInput } from "../spec/SyncSpec.ts"

const library = { name: "tablecast", version: "0.0.0-test" }
const sales = { event: "Sales Prediction", customerId: "customer_id" } as const
const basis = "decided from the first 1000 rows"

const refusal = (input: SyncSpecInput, values: Record<string, unknown>, columnTypes?: ColumnTypes) => {
  const mapped = compileMapper(SyncSpec.parse(input), library, { columnTypes })({ rowNumber: 1, values: { customer_id: "c1", ...values } })
  if (mapped.ok) throw new Error("expected a refusal")
  return mapped
}

describe("RowFailure's rule", () => {
  it("says, without the value, what each value that breaks its declared type broke", () => {
    const cases: ReadonlyArray<[ColumnType, unknown, string]> = [
      ["number", "abc", "is not a number"],
      ["integer", "3.5", "is not an integer"],
      ["boolean", "maybe", "is not a boolean (true/false, yes/no, 1/0)"],
      ["json", "{nope", "is not valid JSON"],
      ["timestamp", "soon", "is not a timestamp"]
    ]
    for (const [type, value, broken] of cases) {
      const failed = refusal({ ...sales, columns: { c: type } }, { c: value })
      // The reason is unchanged: it quotes the value, then the rule.
      expect(failed.reason).toBe(`column "c": ${JSON.stringify(value)} ${broken}`)
      expect(failed).toMatchObject({ column: "c", rule: { broken } })
      expect(failed.rule?.decided).toBeUndefined()
    }
  })

  it("gives a decided column's type and basis with the rule", () => {
    const types: ColumnTypes = { amount: { type: "number", basis } }
    const failed = refusal(sales, { amount: "4111 1111" }, types)
    expect(failed.reason).toBe(
      `column "amount" is typed number (${basis}); "4111 1111" is not a number — use --column amount=string to send it as text`
    )
    expect(failed).toMatchObject({ column: "amount", rule: { broken: "is not a number", decided: { type: "number", basis } } })
    const long = refusal(sales, { amount: "12345678901234567890" }, types)
    expect(long.rule).toEqual({ broken: "has more digits than a JSON number carries exactly", decided: { type: "number", basis } })
  })

  it("gives the timestamp column's rule", () => {
    const failed = refusal({ ...sales, timestamp: "seen" }, { seen: "yesterday" })
    expect(failed.reason).toBe('column "seen": "yesterday" is not a timestamp')
    expect(failed).toMatchObject({ column: "seen", rule: { broken: "is not a timestamp" } })
  })

  it("sets no rule on a reason that quotes no value", () => {
    expect(refusal(sales, { customer_id: "" }).rule).toBeUndefined()
    const binary = refusal(sales, { c: new Uint8Array([1]) })
    expect(binary.reason).toBe('column "c": binary data, which JSON cannot carry (map it as a string)')
    expect(binary.rule).toBeUndefined()
  })
})

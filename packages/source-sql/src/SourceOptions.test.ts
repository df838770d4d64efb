import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import * as z from "zod"
import { BinaryMapping, requireTableOrQuery, Secret } from "./SourceOptions.ts"

const Options = z
  .object({ table: z.string().optional(), query: z.string().optional(), password: Secret.optional() })
  .superRefine(requireTableOrQuery)

describe("source options", () => {
  it("keeps a secret Redacted, whether given as text or already Redacted", () => {
    const parsed = Options.parse({ table: "t", password: "pw-1234" })
    expect(Redacted.isRedacted(parsed.password)).toBe(true)
    expect(Redacted.value(parsed.password!)).toBe("pw-1234")
    expect(String(parsed.password)).not.toContain("pw-1234")
    const given = Redacted.make("pw-5678")
    expect(Options.parse({ query: "SELECT 1", password: given }).password).toBe(given)
  })

  it("wants exactly one of table and query, reported at table", () => {
    for (const input of [{}, { table: "t", query: "SELECT 1" }]) {
      const result = Options.safeParse(input)
      expect(result.success).toBe(false)
      expect(result.error?.issues).toEqual([expect.objectContaining({ path: ["table"], message: "give either a table or a query (not both)" })])
    }
  })

  it("maps binary columns to refuse, base64 or hex only", () => {
    expect(BinaryMapping.options).toEqual(["refuse", "base64", "hex"])
    expect(BinaryMapping.safeParse("utf8").success).toBe(false)
  })
})

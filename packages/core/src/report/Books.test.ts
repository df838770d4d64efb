import { describe, expect, it } from "vitest"
import { type Books, checkBooks, imbalanceOf } from "./Books.ts"

const balanced: Books = {
  rows: { read: 10, skipped: 2, rejected: 1, mapped: 7 },
  messages: { built: 14, accepted: 10, refused: 2, undelivered: 2 }
}

describe("the books of a run", () => {
  it("balance when every row and every message is in exactly one place", () => {
    expect(imbalanceOf(balanced)).toBeUndefined()
    expect(checkBooks(balanced)).toBeUndefined()
    expect(checkBooks(balanced, { kind: "auth", message: "refused" })).toBeUndefined()
  })

  it("count a dry run's planned messages as settled", () => {
    const dryRun: Books = { rows: balanced.rows, messages: { built: 14, accepted: 0, refused: 0, undelivered: 0 }, planned: 14 }
    expect(checkBooks(dryRun)).toBeUndefined()
    expect(imbalanceOf({ ...dryRun, planned: 13 })).toEqual({ rows: 0, messages: 1 })
  })

  it("fail as unbalanced with the count of rows and messages unaccounted for", () => {
    // The run of issue 14: 5 rows read, 4 mapped, 4 messages built, none sent.
    const lost: Books = {
      rows: { read: 5, skipped: 0, rejected: 0, mapped: 4 },
      messages: { built: 4, accepted: 0, refused: 0, undelivered: 0 }
    }
    expect(imbalanceOf(lost)).toEqual({ rows: 1, messages: 4 })
    const fatal = checkBooks(lost)
    expect(fatal?.kind).toBe("unbalanced")
    expect(fatal?.message).toContain("1 row read unaccounted for (read 5 ≠ skipped 0 + rejected 0 + mapped 4)")
    expect(fatal?.message).toContain("4 messages built unaccounted for (built 4 ≠ accepted 0 + refused 0 + undelivered 0)")
  })

  it("say so when something was counted twice", () => {
    const twice: Books = { rows: balanced.rows, messages: { ...balanced.messages, accepted: 12 } }
    expect(imbalanceOf(twice)).toEqual({ rows: 0, messages: -2 })
    expect(checkBooks(twice)?.message).toContain("2 messages counted twice")
  })

  it("take precedence over the run's other fatal error, which the message keeps", () => {
    const lost: Books = { rows: { ...balanced.rows, read: 11 }, messages: balanced.messages }
    const fatal = checkBooks(lost, { kind: "internal", message: "reading failed: Error: boom" })
    expect(fatal?.kind).toBe("unbalanced")
    expect(fatal?.message).toContain("1 row read unaccounted for")
    expect(fatal?.message).toContain("(internal: reading failed: Error: boom)")
    // Checked twice, the verdict stands as it was.
    expect(checkBooks(lost, fatal)).toBe(fatal)
  })
})

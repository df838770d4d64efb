import { describe, expect, it } from "vitest"
import { scrubSecrets } from "./ScrubSecrets.ts"

describe("scrubSecrets", () => {
  it("hides URL passwords and the given secrets", () => {
    expect(scrubSecrets("connecting to postgres://app:s3cret@db:5432/shop failed", [])).toBe(
      "connecting to postgres://app:***@db:5432/shop failed"
    )
    expect(scrubSecrets("login as SYNC_USER with hunter22 refused: hunter22", ["hunter22"])).toBe("login as SYNC_USER with *** refused: ***")
  })

  it("leaves secrets under 4 characters alone (they would blank out ordinary words)", () => {
    expect(scrubSecrets("a bad day", ["a", "bad"])).toBe("a bad day")
  })
})

import { describe, expect, it } from "vitest"
import { isoInstant } from "./DuckDBValues.ts"

describe("instants as ISO-8601 UTC", () => {
  it("keeps every fraction digit there is, at least milliseconds, for each unit", () => {
    expect(isoInstant(1_704_164_645_123_456n, 1_000_000n)).toBe("2024-01-02T03:04:05.123456Z")
    expect(isoInstant(1_704_164_645_120_000n, 1_000_000n)).toBe("2024-01-02T03:04:05.120Z")
    expect(isoInstant(1_704_164_645_000_000_001n, 1_000_000_000n)).toBe("2024-01-02T03:04:05.000000001Z")
    expect(isoInstant(1_704_164_645_007n, 1000n)).toBe("2024-01-02T03:04:05.007Z")
    expect(isoInstant(1_704_164_645n, 1n)).toBe("2024-01-02T03:04:05.000Z")
  })

  it("counts instants before 1970 down from the second before", () => {
    expect(isoInstant(-1n, 1_000_000n)).toBe("1969-12-31T23:59:59.999999Z")
    expect(isoInstant(-500_000n, 1_000_000n)).toBe("1969-12-31T23:59:59.500Z")
  })
})

import { describe, expect, it } from "vitest"
import { isoFromMicros, isoUtc } from "./IsoTimestamp.ts"

describe("exact timestamps as ISO-8601 UTC", () => {
  it("keeps every fraction digit there is, and at least milliseconds", () => {
    expect(isoUtc(1_704_164_645, 123_456n, 6)).toBe("2024-01-02T03:04:05.123456Z")
    expect(isoUtc(1_704_164_645, 500_000_000, 9)).toBe("2024-01-02T03:04:05.500Z")
    expect(isoUtc(1_704_164_645, 1, 9)).toBe("2024-01-02T03:04:05.000000001Z")
    expect(isoUtc(0, 0, 6)).toBe("1970-01-01T00:00:00.000Z")
  })

  it("reads microseconds since the epoch, before 1970 too", () => {
    expect(isoFromMicros(1_704_164_645_123_456n)).toBe("2024-01-02T03:04:05.123456Z")
    expect(isoFromMicros(-1n)).toBe("1969-12-31T23:59:59.999999Z")
    expect(isoFromMicros(-1_000_000n)).toBe("1969-12-31T23:59:59.000Z")
  })
})

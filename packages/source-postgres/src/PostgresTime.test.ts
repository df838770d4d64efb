import { describe, expect, it } from "vitest"
import { dateToIso, timestampToIso } from "./PostgresTime.ts"

describe("timestampToIso", () => {
  it("writes UTC with at least milliseconds and keeps microseconds", () => {
    expect(timestampToIso("2024-01-02 03:04:05+00")).toBe("2024-01-02T03:04:05.000Z")
    expect(timestampToIso("2024-01-02 03:04:05.5+00")).toBe("2024-01-02T03:04:05.500Z")
    expect(timestampToIso("2024-01-02 03:04:05.123456+00")).toBe("2024-01-02T03:04:05.123456Z")
  })

  it("moves a non-UTC offset to UTC", () => {
    expect(timestampToIso("2024-01-02 03:04:05+05:30")).toBe("2024-01-01T21:34:05.000Z")
    expect(timestampToIso("1883-11-18 12:00:00-07:52:58")).toBe("1883-11-18T19:52:58.000Z")
  })

  it("reads a timestamp without time zone as UTC", () => {
    expect(timestampToIso("1999-12-31 23:59:59.999")).toBe("1999-12-31T23:59:59.999Z")
  })

  it("handles years before 100, BC years and infinity", () => {
    expect(timestampToIso("0042-06-01 00:00:00+00")).toBe("0042-06-01T00:00:00.000Z")
    expect(timestampToIso("0044-03-15 12:00:00+00 BC")).toBe("-000043-03-15T12:00:00.000Z")
    expect(timestampToIso("infinity")).toBe("infinity")
  })
})

describe("dateToIso", () => {
  it("keeps ordinary dates and writes BC and far years the ISO way", () => {
    expect(dateToIso("2024-02-29")).toBe("2024-02-29")
    expect(dateToIso("0044-03-15 BC")).toBe("-000043-03-15")
    expect(dateToIso("12345-01-01")).toBe("+012345-01-01")
    expect(dateToIso("-infinity")).toBe("-infinity")
  })
})

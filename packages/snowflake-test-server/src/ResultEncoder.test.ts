import { describe, expect, it } from "vitest"
import { columnEncoding, parseRecord, snowflakeName, timestampNanos } from "./ResultEncoder.ts"

const oids = { timestampTz: 90001, object: 90002, array: 90003 }
const encode = (dataTypeID: number, text: string, dataTypeModifier = -1, maxScale = 0) =>
  columnEncoding({ name: "c", dataTypeID, dataTypeModifier }, oids, maxScale).encode(text)

describe("columnEncoding", () => {
  it("encodes dates as days and timestamps as epoch seconds with nanoseconds", () => {
    expect(encode(1082, "1970-01-02")).toBe("1")
    expect(encode(1082, "1969-12-31")).toBe("-1")
    expect(encode(1114, "2024-01-02 03:04:05.123456")).toBe("1704164645.123456000")
    expect(encode(1184, "1969-12-31 23:59:58.5+00")).toBe("-1.500000000")
    expect(encode(1083, "01:02:03.5")).toBe("3723.500000000")
  })

  it("encodes TIMESTAMP_TZ with its offset index (minutes + 1440)", () => {
    expect(encode(oids.timestampTz, '("2024-01-02 03:04:05+00",330)')).toBe("1704164645.000000000 1770")
    expect(columnEncoding({ name: "c", dataTypeID: oids.timestampTz, dataTypeModifier: -1 }, oids).rowType.type).toBe("timestamp_tz")
  })

  it("gives FIXED values their scale, booleans as 1/0, binary as upper-case hex", () => {
    const numeric = columnEncoding({ name: "amount", dataTypeID: 1700, dataTypeModifier: ((12 << 16) | 2) + 4 }, oids)
    expect(numeric.rowType).toMatchObject({ name: "AMOUNT", type: "fixed", precision: 12, scale: 2 })
    expect(numeric.encode("1.5")).toBe("1.50")
    expect(encode(1700, "3", -1, 3)).toBe("3.000")
    expect(encode(16, "t")).toBe("1")
    expect(encode(17, "\\x00ff")).toBe("00FF")
  })

  it("unwraps OBJECT and ARRAY values from their composite", () => {
    expect(encode(oids.object, '("{""a"": [1, ""x\\\\y""]}")')).toBe('{"a": [1, "x\\y"]}')
    expect(parseRecord('("a,b",,42)')).toEqual(["a,b", null, "42"])
  })

  it("names columns as Snowflake does", () => {
    expect(snowflakeName("customer_id")).toBe("CUSTOMER_ID")
    expect(snowflakeName("Customer ID")).toBe("Customer ID")
    expect(timestampNanos("0044-03-15 00:00:00 BC")).toBeLessThan(0n)
  })
})
